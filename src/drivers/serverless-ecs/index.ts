export { createServerlessEcsDriver, type ServerlessEcsDriver, type ServerlessEcsDriverOptions } from "./driver.js";
export type { EcsTaskHandle } from "./handle.js";
export { ORCHESTRATOR_AWS_ACTIONS, DEFAULT_TASK_DEFINITION_PREFIX } from "./aws-actions.js";
