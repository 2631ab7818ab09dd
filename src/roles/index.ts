import { RoleRegistry } from "../core/role.js";
import { roleH1 } from "./h1/index.js";
import { roleWs } from "./ws/index.js";

/** The roles a server context knows; listeners start in h1 unless a vhost names another. Adding a role is one entry here. */
export function serverRoles(): RoleRegistry {
	return new RoleRegistry([roleH1, roleWs], roleH1.name);
}
