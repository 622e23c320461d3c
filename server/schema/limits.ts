// The limits the API enforces, as plain values: the schemas build their rules
// and messages from them, and the client's forms check the same numbers. This
// module imports nothing, so the client can import it as a value without
// pulling TypeBox (or any server code) into its bundle.

/** Task and pool names: a handle in URLs and in log paths (not "." or "..", not only digits). */
export const NAME_PATTERN = "^(?!\\.{1,2}$)(?!\\d+$)[A-Za-z0-9_.-]{1,64}$";
/** Step names: as task names, but digits alone are allowed. */
export const STEP_NAME_PATTERN = "^(?!\\.{1,2}$)[A-Za-z0-9_.-]{1,64}$";
/** Variable keys: an environment variable name. */
export const VARIABLE_KEY = "^[A-Za-z_][A-Za-z0-9_]*$";

/** Whole seconds a step may run before it is ended (7 days at most). */
export const STEP_TIMEOUT_S = { min: 1, max: 604_800 } as const;
/** How often a failed or timed-out step is tried again. */
export const STEP_RETRIES = { min: 0, max: 10 } as const;
/** Whole seconds to wait before each new try. */
export const RETRY_DELAY_S = { min: 0, max: 86_400 } as const;
/** Whole seconds after its fire time by which a scheduled run must have started. */
export const START_DEADLINE_S = { min: 1, max: 604_800 } as const;
/** Steps in one task. */
export const STEPS_PER_TASK = { min: 1, max: 50 } as const;
/** Runs a pool lets run at once. */
export const POOL_SLOTS = { min: 1, max: 1000 } as const;
/** The shortest password an account may set (server/auth/passwords.ts refuses shorter ones). */
export const PASSWORD_MIN_LENGTH = 10;

/** Task parameters: an environment variable name in capitals (LIGHTFLOW_* is refused apart, with its own message). */
export const PARAM_NAME = "^[A-Z][A-Z0-9_]*$";
/** Parameters one task may declare. */
export const PARAMS_PER_TASK = 20;
/** Bytes (UTF-8) of one parameter's value, default or choice. */
export const PARAM_VALUE_BYTES = 4096;
/** Choices one parameter may offer. */
export const PARAM_CHOICES = 100;
