// The editor's form state of a task's parameters and its conversion to and
// from the API's `params`. Choices are edited one per line.
import type { TaskInput } from "../../types.ts";

type ParamInput = NonNullable<TaskInput["params"]>[number];

export interface ParamForm {
  key: number;
  name: string;
  /** no default: every manual trigger must give a value */
  required: boolean;
  default: string;
  description: string;
  /** one value per line; none: any value */
  choices: string;
}

const seq = { n: 0 };

export const blankParam = (): ParamForm => ({ key: ++seq.n, name: "", required: true, default: "", description: "", choices: "" });

export const paramsToForm = (params: readonly ParamInput[]): ParamForm[] =>
  params.map((p) => ({
    key: ++seq.n,
    name: p.name,
    required: p.default === undefined,
    default: p.default ?? "",
    description: p.description ?? "",
    choices: (p.choices ?? []).join("\n"),
  }));

/** The lines of the choices box, each trimmed, empty ones left out. */
export const choiceLines = (text: string) =>
  text
    .split("\n")
    .map((c) => c.trim())
    .filter(Boolean);

export const paramsFromForm = (params: readonly ParamForm[]): ParamInput[] =>
  params.map((p) => {
    const choices = choiceLines(p.choices);
    return {
      name: p.name.trim(),
      ...(p.required ? {} : { default: p.default }),
      ...(p.description.trim() ? { description: p.description.trim() } : {}),
      ...(choices.length ? { choices } : {}),
    };
  });
