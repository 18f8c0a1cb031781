// The resource types the stand-in implements, modelled on OpenTofu's built-in `terraform_data` and the
// hashicorp/time provider's `time_sleep` (which really sleeps, and stops early on interrupt).
import { randomUUID } from "node:crypto";
import { parseDuration, sleep } from "./durations.mjs";
import { UNKNOWN, sameValue } from "./evaluate.mjs";

export const RESOURCE_TYPES = {
  terraform_data: {
    impliedProvider: "terraform",
    provider: 'provider["terraform.io/builtin/terraform"]',
    arguments: ["input", "triggers_replace"],
    validate() {
      return null;
    },
    /** @returns {{ action: string, after: object }} */
    plan(prior, config) {
      const input = config.input ?? null;
      const triggers = config.triggers_replace ?? null;
      if (!prior) return { action: "create", after: { id: UNKNOWN, input, output: UNKNOWN, triggers_replace: triggers } };
      if (!sameValue(prior.triggers_replace ?? null, triggers)) {
        return { action: "replace", after: { id: UNKNOWN, input, output: UNKNOWN, triggers_replace: triggers } };
      }
      if (!sameValue(prior.input ?? null, input)) {
        return { action: "update", after: { id: prior.id, input, output: UNKNOWN, triggers_replace: triggers } };
      }
      return { action: "noop", after: prior };
    },
    async create(config) {
      return { id: randomUUID(), input: config.input ?? null, output: config.input ?? null, triggers_replace: config.triggers_replace ?? null };
    },
    async update(prior, config) {
      return { ...(await this.create(config)), id: prior.id };
    },
    async delete() {},
  },

  time_sleep: {
    impliedProvider: "time",
    provider: 'provider["registry.opentofu.org/hashicorp/time"]',
    arguments: ["create_duration", "destroy_duration", "triggers"],
    validate(config) {
      for (const arg of ["create_duration", "destroy_duration"]) {
        const v = config[arg];
        if (v !== undefined && v !== null && v !== UNKNOWN && parseDuration(v) === null) {
          return { arg, summary: "Invalid Attribute Value", detail: `Attribute ${arg} must be a duration like "30s" or "5m", got: ${JSON.stringify(v)}` };
        }
      }
      return null;
    },
    plan(prior, config) {
      const wanted = {
        create_duration: config.create_duration ?? null,
        destroy_duration: config.destroy_duration ?? null,
        triggers: config.triggers ?? null,
      };
      if (!prior) return { action: "create", after: { id: UNKNOWN, ...wanted } };
      if (!sameValue(prior.triggers ?? null, wanted.triggers)) return { action: "replace", after: { id: UNKNOWN, ...wanted } };
      if (!sameValue(prior.create_duration ?? null, wanted.create_duration) || !sameValue(prior.destroy_duration ?? null, wanted.destroy_duration)) {
        return { action: "update", after: { ...prior, ...wanted } };
      }
      return { action: "noop", after: prior };
    },
    async create(config, signal) {
      await sleep(parseDuration(config.create_duration ?? "0s") ?? 0, signal);
      return {
        id: new Date().toISOString(),
        create_duration: config.create_duration ?? null,
        destroy_duration: config.destroy_duration ?? null,
        triggers: config.triggers ?? null,
      };
    },
    async update(prior, config) {
      return { ...prior, create_duration: config.create_duration ?? null, destroy_duration: config.destroy_duration ?? null };
    },
    async delete(prior, signal) {
      await sleep(parseDuration(prior.destroy_duration ?? "0s") ?? 0, signal);
    },
  },
};
