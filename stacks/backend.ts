import { AzurermBackend, LocalBackend, TerraformStack } from 'cdktf';
import { EnvironmentConfig } from '../config/schema';
import { pathFromStack } from './project-paths';

/**
 * Terraform state of one stack: a local file `terraform.<stack>.tfstate` in the project root by default, or a blob `<keyPrefix><stack>.tfstate` in an Azure
 * storage account with Entra ID authentication (no storage account keys).
 */
export function configureBackend(stack: TerraformStack, env: EnvironmentConfig, stackName: string): void {
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
