/*
 * xsws-sim (MIT): the xsID_* names Moddable's data modules (compiled from build/xs) take from
 * the mc.xs.h that mcconfig generates for a Moddable SDK build. There they are constants for
 * preloaded keys; here each looks the key up at run time.
 */
#ifndef __XSWS_MC_XS_H__
#define __XSWS_MC_XS_H__

#define xsID_fatal fxID(the, (char*)"fatal")
#define xsID_ignoreBOM fxID(the, (char*)"ignoreBOM")
#define xsID_stream fxID(the, (char*)"stream")
#define xsID_read fxID(the, (char*)"read")
#define xsID_written fxID(the, (char*)"written")
#define xsID_String fxID(the, (char*)"String")
#define xsID_Uint8Array fxID(the, (char*)"Uint8Array")
#define xsID_onData fxID(the, (char*)"onData")
#define xsID_onEnd fxID(the, (char*)"onEnd")
#define xsID_windowBits fxID(the, (char*)"windowBits")
#define xsID_level fxID(the, (char*)"level")
#define xsID_strategy fxID(the, (char*)"strategy")
#define xsID_scheme fxID(the, (char*)"scheme")
#define xsID_username fxID(the, (char*)"username")
#define xsID_password fxID(the, (char*)"password")
#define xsID_host fxID(the, (char*)"host")
#define xsID_port fxID(the, (char*)"port")
#define xsID_path fxID(the, (char*)"path")
#define xsID_query fxID(the, (char*)"query")
#define xsID_fragment fxID(the, (char*)"fragment")

#endif
