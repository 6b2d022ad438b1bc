import { App } from 'cdktf';
import { Construct } from 'constructs';
import { parseProtectedRecord, validateEnvironment } from '../config/load';
import { PROTECTED_RECORD_UPDATE_CONTEXT } from '../config/protected-record';
import { EnvironmentConfig, EnvironmentError } from '../config/environment-config';
import type { EnvironmentInput, ProtectedRecord } from '../config/environment-types';
import { invalid } from '../constructs/validation';
import { addEnvironmentStacks, EnvironmentStacks } from './environment-stacks';
import { currentRecord } from './protected-record';


/**
 * The settings of one environment: the same keys as an `environments/<env>.yaml` file of this project
 * (`location`, `state`, `entra`, `cluster`, `access`, `capsule`, `tenants`, …), as a typed object.
 */
export type CapsulePlatformConfig = EnvironmentInput;

/** Props of {@link CapsulePlatform}. */
export interface CapsulePlatformProps {
  /**
   * The environment's settings. They are validated with the same schema as the environment files, so the
   * same mistakes give the same messages (field path, bad value, what is allowed), prefixed by the construct
   * path instead of a file name.
   */
  readonly config: CapsulePlatformConfig;
  /**
   * Environment name: prefixes the stack names (`<name>-cluster`, `<name>-capsule`, `<name>-tenants`) and
   * default resource names. 1-20 lowercase letters, digits and "-", starting with a letter.
   * @default - the construct id
   */
  readonly environmentName?: string;
  /**
   * The record of a protected environment's protected resources (what `npm run protected-record` writes, see
   * stacks/protected-record.ts): renames become moved blocks, removals fail unless `policy.allowRemoval` lists them.
   * Required when `config.protected` is true: without it the constructor throws (protection is never dropped
   * silently). It is checked against the record's schema and `environmentName` (an EnvironmentError names the
   * field). Make or update it as `npm run protected-record` does: in an App whose context sets
   * {@link CapsulePlatform.PROTECTED_RECORD_UPDATE_CONTEXT} to true (a missing or out-of-date record is then no
   * error; drops not in `policy.allowRemoval` still are), build the platform with the previous record (none the
   * first time) and store {@link CapsulePlatform.currentProtectedRecord}'s result with your code (JSON).
   * @default - none (allowed only for an unprotected config)
   */
  readonly protectedRecord?: ProtectedRecord;
}

/**
 * One whole environment (Entra ID groups, AKS, cert-manager, Capsule, capsule-proxy, tenants) from a typed
 * config object: the library equivalent of one `environments/<env>.yaml` file of this project.
 *
 * The stacks are created as children of the `App` (the cdktf CLI orders deployments by stack name, which only
 * works for top-level stacks), so `scope` must be the App; deploy them by name,
 * `cdktf deploy ${platform.stackNames.join(' ')}` (a pattern such as `'<name>-*'` also matches other environments
 * whose names start with `<name>-`).
 *
 * @example
 * const app = new App();
 * new CapsulePlatform(app, 'demo', { config: { location: 'westeurope', entra: { ... }, cluster: { ... } } });
 * app.synth();
 */
export class CapsulePlatform extends Construct {
  /**
   * App context key (`capsule-aks:protected-record-update`): set it to true in the App that writes a protected
   * record (`new App({ context: { [CapsulePlatform.PROTECTED_RECORD_UPDATE_CONTEXT]: true } })`). Never in the
   * App you deploy from.
   */
  public static readonly PROTECTED_RECORD_UPDATE_CONTEXT: string = PROTECTED_RECORD_UPDATE_CONTEXT;

  /** The environment name that prefixes the stack names. */
  public readonly environmentName: string;
  /** The validated settings, as the stacks received them. */
  public readonly config: EnvironmentConfig;
  /** The environment's stacks, in deployment order; add your own resources or dependencies to them. */
  public readonly stacks: EnvironmentStacks;
  /** Names of the created stacks, in deployment order. */
  public readonly stackNames: readonly string[];

  /**
   * @throws EnvironmentError listing every problem of `props.config`, or for a protected config without
   * `protectedRecord` (outside an App with {@link CapsulePlatform.PROTECTED_RECORD_UPDATE_CONTEXT}); nothing is created then.
   */
  constructor(scope: Construct, id: string, props: CapsulePlatformProps) {
    super(scope, id);
    if (!App.isApp(scope)) {
      invalid(this, 'scope', scope.node.path, 'must be the cdktf App: the environment\'s stacks are top-level stacks so that `cdktf deploy` can order them');
    }
    this.environmentName = props.environmentName ?? id;
    const result = validateEnvironment(this.node.path, this.environmentName, props.config);
    if ('problems' in result) throw new EnvironmentError(result.problems);
    let record: ProtectedRecord | undefined;
    if (props.protectedRecord !== undefined) {
      const parsed = parseProtectedRecord(props.protectedRecord, `${this.node.path}: protectedRecord`, this.environmentName, 'pass the JSON that currentProtectedRecord() returned');
      if ('problem' in parsed) throw new EnvironmentError([parsed.problem]);
      record = parsed.record;
    }
    // The app's message for a missing record (stacks/protected-record.ts) speaks of environment files and
    // `npm run protected-record`, which a library user does not have: say what to do with this construct instead.
    if (result.env.protected && !record && this.node.tryGetContext(PROTECTED_RECORD_UPDATE_CONTEXT) !== true) {
      throw new EnvironmentError([
        `${this.node.path}: protectedRecord: required when config.protected is true (so that a rename or removal of a protected resource is caught). ` +
          `Make it in an App whose context sets CapsulePlatform.PROTECTED_RECORD_UPDATE_CONTEXT to true, call currentProtectedRecord() on this CapsulePlatform, ` +
          `store the JSON with your code and pass it as protectedRecord; if you had one, restore it from where you keep it`,
      ]);
    }
    this.config = record ? { ...result.env, protectedRecord: record } : result.env;
    const added = addEnvironmentStacks(scope, this.config);
    this.stacks = added.stacks;
    this.stackNames = added.names;
  }

  /**
   * The protected record of the current configuration (what `npm run protected-record` writes): every protected
   * resource by identity, with its stack, address and earlier addresses. Store it (JSON) and pass it as
   * `protectedRecord` next time; build the platform in an App with
   * {@link CapsulePlatform.PROTECTED_RECORD_UPDATE_CONTEXT} set when the record is missing or out of date.
   */
  public currentProtectedRecord(): ProtectedRecord {
    return currentRecord(this.config, [this.stacks.cluster, this.stacks.capsule, this.stacks.tenants]);
  }
}
