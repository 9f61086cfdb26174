import { userErrorCodes, type UserError } from "../domain/user-error.ts";
import { builder } from "./builder.ts";

export const UserErrorCodeEnum = builder.enumType("UserErrorCode", {
  description: "Why a mutation refused. Each code names a rule of the domain (see the field descriptions' rule IDs).",
  values: userErrorCodes,
});

export const UserErrorRef = builder.objectRef<UserError>("UserError").implement({
  description: "A domain refusal: the change was not made, and nothing else changed.",
  fields: (t) => ({
    code: t.field({ type: UserErrorCodeEnum, description: "Machine-readable reason.", resolve: (e) => e.code }),
    message: t.exposeString("message", { description: "Human-readable explanation, in English." }),
    field: t.exposeStringList("field", {
      nullable: true,
      description: 'Path to the input field at fault, e.g. ["input", "simIds", "2"].',
    }),
  }),
});
