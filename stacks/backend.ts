import { AzurermBackend, LocalBackend, TerraformStack } from 'cdktf';
import type { EnvironmentConfig } from '../config/environment-config';
import { pathFromStack } from './project-paths';

/**
 * Terraform state of one stack: a local file `terraform.<stack>.tfstate` in the project root by default, or a blob `<keyPrefix><stack>.tfstate` in an Azure
 * storage account with Entra ID authentication (no storage account keys).
 */
/**
 * Oldest Terraform CLI the stacks work with. The tenants stack passes values read with terraform_remote_state through
 * nonsensitive(); Terraform does not mark remote-state outputs sensitive (hashicorp/terraform
 * internal/builtin/providers/terraform/data_source_state.go, `outputs[k] = os.Value`), and before 1.7.0
 * nonsensitive() of a value that is not sensitive fails the plan (hashicorp/terraform#33856). Set on every stack so
 * that an older CLI stops at the first stack with a clear message, not halfway through a deploy.
 */
export const TERRAFORM_REQUIRED_VERSION = '>= 1.7.0';

export function configureBackend(stack: TerraformStack, env: EnvironmentConfig, stackName: string): void {
  stack.addOverride('terraform.required_version', TERRAFORM_REQUIRED_VERSION);
  const state = env.state ?? { backend: 'local' as const };
  if (state.backend === 'azurerm') {
    new AzurermBackend(stack, {
      resourceGroupName: state.resourceGroupName,
      storageAccountName: state.storageAccountName,
      containerName: state.containerName,
      key: `${state.keyPrefix ?? ''}${stackName}.tfstate`,
      useAzureadAuth: true,
      subscriptionId: state.subscriptionId,
      tenantId: state.tenantId,
    });
  } else {
    // The state files live in the project root, whatever the output directory: the path is relative to the stack
    // directory Terraform runs in, and also works for the remote-state reads cdktf generates in the dependent
    // stacks (their directories are siblings).
    new LocalBackend(stack, { path: pathFromStack(stack, `terraform.${stackName}.tfstate`) });
  }
}
