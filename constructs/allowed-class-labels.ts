import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { Labels } from '@cdktf/provider-kubernetes/lib/labels';
import { METADATA_NAME_LABEL, NamedAllowedClasses } from './global-proxy-setting';
import { checkPattern, invalid, isUnresolved, RFC1123_LABEL_RE } from './validation';
import { terraformLiterals } from './terraform-literal';

/** A class name that can also be a label value (the label's value is the name): a DNS subdomain of 1-63 characters. */
export const CLASS_NAME_RE = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
export const CLASS_NAME_ALLOWED =
  'must be a class name: 1-63 lowercase letters, digits, "-" and ".", starting and ending with a letter or digit (capsule-proxy selects it by the label kubernetes.io/metadata.name=<name>)';

export interface AllowedClassLabelsProps {
  /**
   * The tenant the classes are allowed to: the field manager is `capsule-aks-<tenant>`, so that two tenants allowed
   * one class share the label (server-side apply co-ownership) and removing one tenant leaves it for the other.
   */
  readonly tenant: string;
  /** The classes allowed by name (from `namedAllowedClasses`). */
  readonly classes: readonly NamedAllowedClasses[];
  /**
   * Resources created first.
   * @default none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Puts `kubernetes.io/metadata.name: <name>` on each class a tenant is allowed by name (a `kubernetes_labels` per
 * class, server-side apply of that one label; other labels and fields of the class are left alone). capsule-proxy
 * selects allowed classes by that label only (see {@link METADATA_NAME_LABEL}), and AKS's StorageClasses,
 * IngressClasses and PriorityClasses do not carry it: without it owners list nothing. The classes must exist when
 * this is applied (terraform-provider-kubernetes v2.38.0 kubernetes/resource_kubernetes_labels.go:238-247 fails with
 * `The resource "<name>" does not exist`); on destroy only this manager's claim on the label is removed (lines
 * 250-255).
 */
export class AllowedClassLabels extends Construct {
  /** One `kubernetes_labels` per class. */
  public readonly labels: Labels[] = [];

  constructor(scope: Construct, id: string, props: AllowedClassLabelsProps) {
    super(scope, id);
    checkPattern(this, 'tenant', props.tenant, RFC1123_LABEL_RE, 'must be a tenant name (lowercase RFC 1123 label)');
    for (const [i, c] of props.classes.entries()) {
      for (const [j, name] of c.names.entries()) {
        if (!isUnresolved(name) && !CLASS_NAME_RE.test(name)) invalid(this, `classes[${i}].names[${j}]`, name, CLASS_NAME_ALLOWED);
        this.labels.push(new Labels(this, `${c.kind}-${name}`, terraformLiterals(this, `${c.kind}-${name}`, {
          apiVersion: c.apiVersion,
          kind: c.kind,
          metadata: { name },
          labels: { [METADATA_NAME_LABEL]: name },
          fieldManager: `capsule-aks-${props.tenant}`,
          dependsOn: props.dependsOn,
        })));
      }
    }
  }
}
