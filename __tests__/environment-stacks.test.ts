import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdktf';
import { createEnvironmentStacks } from '../stacks/environment-stacks';
import { baseEnv, envFrom, Json } from './helpers';

describe('local state across stacks', () => {
  const app = Testing.app();
  createEnvironmentStacks(app, envFrom(baseEnv(), 'poc'));
  // A full app synth: cross-stack references become remote state reads only there.
  app.synth();
  const read = (stack: string): Json =>
    JSON.parse(fs.readFileSync(path.join(app.outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
  const cluster = read('poc-cluster');
  const capsule = read('poc-capsule');

  test('dependent stacks read the cluster state from the same file the cluster stack writes', () => {
    const remote = capsule.data.terraform_remote_state['cross-stack-reference-input-poc-cluster'];
    expect(remote.backend).toBe('local');
    expect(remote.config.path).toBe(cluster.terraform.backend.local.path);
  });

  test('state files live in the project root (terraform runs in cdktf.out/stacks/<stack>)', () => {
    expect(cluster.terraform.backend.local.path).toBe('../../../terraform.poc-cluster.tfstate');
  });
});
