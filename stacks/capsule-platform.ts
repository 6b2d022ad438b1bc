import { App } from 'cdktf';
import { Construct } from 'constructs';
import { validateEnvironment } from '../config/load';
import { EnvironmentConfig, EnvironmentError } from '../config/environment-config';
import type { EnvironmentInput, ProtectedRecord } from '../config/environment-types';
import { invalid } from '../constructs/validation';
import { addEnvironmentStacks, EnvironmentStacks } from './environment-stacks';


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
   * silently). Make the first one with `currentRecord(config, stacks)` from stacks built in an App whose context
   * sets `PROTECTED_RECORD_UPDATE_CONTEXT` (`capsule-aks:protected-record-update`) to true, as `npm run
   * protected-record` does; store it with your code and pass it here.
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
  /** The environment name that prefixes the stack names. */
  public readonly environmentName: string;
  /** The validated settings, as the stacks received them. */
  public readonly config: EnvironmentConfig;
  /** The environment's stacks, in deployment order; add your own resources or dependencies to them. */
  public readonly stacks: EnvironmentStacks;
  /** Names of the created stacks, in deployment order. */
  public readonly stackNames: readonly string[];

  /** @throws EnvironmentError listing every problem of `props.config` (nothing is created then). */
  constructor(scope: Construct, id: string, props: CapsulePlatformProps) {
    super(scope, id);
    if (!App.isApp(scope)) {
      invalid(this, 'scope', scope.node.path, 'must be the cdktf App: the environment\'s stacks are top-level stacks so that `cdktf deploy` can order them');
    }
    this.environmentName = props.environmentName ?? id;
    const result = validateEnvironment(this.node.path, this.environmentName, props.config);
    if ('problems' in result) throw new EnvironmentError(result.problems);
    this.config = props.protectedRecord ? { ...result.env, protectedRecord: props.protectedRecord } : result.env;
    const added = addEnvironmentStacks(scope, this.config);
    this.stacks = added.stacks;
    this.stackNames = added.names;
  }
}
