// Routes: variables. A secret's value is write-only: no response carries it,
// not even to an admin.
//   GET    /api/variables         any
//   POST   /api/variables         admin
//   PUT    /api/variables/:key    admin
//   DELETE /api/variables/:key    admin
import { Elysia, t } from "elysia";
import type { AuditStore } from "../engine/stores.ts";
import type { Engine } from "../engine/index.ts";
import { variableProblem } from "../engine/executor.ts";
import { isReservedVariable, type Variable } from "../engine/types.ts";
import { ErrorBody } from "../schema/common.ts";
import { VariableInput, VariableOut, VariableUpdate } from "../schema/resources.ts";
import { conflict, invalid, notFound } from "./errors.ts";
import type { guard } from "./guard.ts";

const Params = t.Object({ key: t.String({ maxLength: 200 }) });

const out = (v: Variable) => ({ key: v.key, value: v.secret ? null : v.value, secret: v.secret });

/** A value no step could be given, or a secret too short to mask, is refused before it is saved. */
function checkValue(v: Variable): void {
  const problem = variableProblem(v);
  if (problem) throw invalid(`value: ${problem}`, "value");
}

export function variableRoutes(engine: Engine, audit: AuditStore, auth: ReturnType<typeof guard>) {
  return new Elysia({ name: "variables" })
    .use(auth)
    .get("/api/variables", () => engine.listVariables().map(out), { role: "any", response: t.Array(VariableOut) })
    .post(
      "/api/variables",
      ({ body, principal, set }) => {
        if (isReservedVariable(body.key)) {
          throw invalid(`key: ${body.key} is reserved (PATH, PYTHONPATH, HOME and LIGHTFLOW_* are set by Lightflow)`, "key");
        }
        const v = { key: body.key, value: body.value, secret: body.secret ?? false };
        checkValue(v);
        if (!engine.createVariable(v)) throw conflict(`key: a variable named ${body.key} already exists`, "key");
        audit.add(principal.user.email, "variable.create", v.key, v.secret ? "secret" : null);
        set.status = 201;
        return out(v);
      },
      { role: "admin", body: VariableInput, response: { 201: VariableOut, 409: ErrorBody, 422: ErrorBody } },
    )
    .put(
      "/api/variables/:key",
      ({ params, body, principal }) => {
        const v = engine.variable(params.key);
        if (!v) throw notFound(`variable ${params.key}`);
        const secret = body.secret ?? v.secret;
        if (v.secret && !secret && body.value === undefined) {
          throw invalid("value: give a new value to turn a secret into a plain variable (a secret is never revealed)", "value");
        }
        const next = { key: v.key, value: body.value ?? v.value, secret };
        checkValue(next); // also a short value kept while the variable becomes secret
        engine.updateVariable(next);
        audit.add(principal.user.email, "variable.update", v.key, body.value !== undefined ? "value changed" : secret ? "made secret" : null);
        return out(next);
      },
      { role: "admin", params: Params, body: VariableUpdate, response: { 200: VariableOut, 404: ErrorBody, 422: ErrorBody } },
    )
    .delete(
      "/api/variables/:key",
      ({ params, principal, set }) => {
        if (!engine.deleteVariable(params.key)) throw notFound(`variable ${params.key}`);
        audit.add(principal.user.email, "variable.delete", params.key);
        set.status = 204;
      },
      { role: "admin", params: Params },
    );
}
