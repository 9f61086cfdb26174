// Imports every type file (each registers itself with the builder), then builds the schema.
import { builder } from "./builder.ts";
import { applyFieldAccess } from "./field-access.ts";
import "./scalars.ts";
import "./user-error.ts";
import "./operator.ts";
import "./email-address.ts";
import "./payment.ts";
import "./notification.ts";
import "./session.ts";
import "./auth-key.ts";
import "./permission.ts";
import "./user.ts";
import "./principal.ts";
import "./audit-log.ts";
import "./account-recovery.ts";
import "./support-ticket.ts";
import "./sim.ts";
import "./sim-lifecycle.ts";
import "./sim-bulk.ts";
import "./sim-admin.ts";
import "./sim-transfer.ts";
import "./office-hours.ts";
import "./sim-group.ts";
import "./event.ts";

// Every field's authorization (U3–U5, O3, O5) is applied here, from the one map in field-access.ts.
export const schema = applyFieldAccess(builder.toSchema());
