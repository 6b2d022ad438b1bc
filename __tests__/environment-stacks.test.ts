import { Testing } from 'cdktf';
import { createEnvironmentStacks } from '../stacks/environment-stacks';
import { baseEnv, envFrom, synthJson } from './helpers';

describe('local state across stacks', () => {
  const app = Testing.app();
  const stacks = createEnvironmentStacks(app, envFrom(baseEnv(), 'poc'));
  const cluster = synthJson(stacks.cluster);
  const capsule = synthJson(stacks.capsule);

  test('dependent stacks read the cluster state from the same file the cluster stack writes', () => {
    const read = capsule.data.terraform_remote_state['cross-stack-reference-input-poc-cluster'];
    expect(read.backend).toBe('local');
    expect(read.config.path).toBe(cluster.terraform.backend.local.path);
  });

  test('state files live in the project root (terraform runs in cdktf.out/stacks/<stack>)', () => {
    expect(cluster.terraform.backend.local.path).toBe('../../../terraform.poc-cluster.tfstate');
  });
});
