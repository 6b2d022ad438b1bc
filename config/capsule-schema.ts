import { z } from 'zod';
import { AZURE_NAMES, DOMAIN_RE } from '../constructs/validation';
import { cidr, filePath, pinnedVersion } from './fields';

/** The `capsule` section: Capsule and capsule-proxy (the `<env>-capsule` stack). Every key is optional. */
export const capsuleSchema = z.strictObject({
  /** Chart version of `capsule` (pinned). Default 0.14.0. */
  chartVersion: pinnedVersion.optional(),
  /** Tenant owners must name namespaces `<tenant>-<name>`. Default true. */
  forceTenantPrefix: z.boolean().optional(),
  /**
   * Where the webhook certificates (and the proxy's, unless `proxy.customCertificate`) come from:
   * `cert-manager` (default, as the Capsule 0.14 charts expect) or `builtin` (the charts generate them).
   */
  certificates: z.enum(['cert-manager', 'builtin']).optional(),
  /** Replicas of the Capsule controller (fail-closed webhooks). Default: 2 in protected environments, else 1. */
  replicas: z.number().int().min(1).max(10).optional(),
  /** PodDisruptionBudget for Capsule (maxUnavailable 1). Default: true when replicas > 1. */
  podDisruptionBudget: z.boolean().optional(),
  /** cert-manager (jetstack chart) installed by this stack. */
  certManager: z
    .strictObject({
      /** Install cert-manager. Default: true when `certificates` is `cert-manager`; set false if it is already installed. */
      install: z.boolean().optional(),
      /** Chart version (pinned). Default v1.19.1. */
      chartVersion: pinnedVersion.optional(),
    })
    .optional(),
  proxy: z
    .strictObject({
      /** Chart version of `capsule-proxy` (pinned). Default 0.14.0. */
      chartVersion: pinnedVersion.optional(),
      /**
       * Azure DNS label of the proxy's public IP: `<dnsLabel>.<location>.cloudapp.azure.com`. Labels are unique per
       * region across Azure. Default `capsule-proxy-<8 random characters>`, the suffix kept in the capsule stack's state.
       */
      dnsLabel: z.string().regex(AZURE_NAMES.dnsLabel.re, { message: `must be ${AZURE_NAMES.dnsLabel.allowed}` }).optional(),
      /** Replicas of capsule-proxy. Default: 2 in protected environments, else 1. */
      replicas: z.number().int().min(1).max(10).optional(),
      /** PodDisruptionBudget for capsule-proxy (maxUnavailable 1). Default: true when replicas > 1. */
      podDisruptionBudget: z.boolean().optional(),
      /** The CA of the proxy's certificate (not with customCertificate): made by the capsule stack, long-lived. */
      ca: z
        .strictObject({
          /** Validity in years, 5-30 (never renewed automatically; kubeconfigs embed it). Default 10. */
          validityYears: z.number().int().min(5).max(30).optional(),
          /** Raise (1 -> 2) to replace the CA on the next deploy; then redistribute every kubeconfig. Default 1. */
          generation: z.number().int().min(1).max(1000).optional(),
        })
        .optional(),
      /** Source CIDRs allowed to reach the proxy's LoadBalancer. Default: cluster.authorizedIpRanges, else any address. */
      allowedIpRanges: z.array(cidr).optional(),
      /** Your own DNS names for the proxy (CNAMEs to the Azure name); the first one is used in kubeconfigs. */
      hostnames: z.array(z.string().regex(DOMAIN_RE, { message: 'must be a DNS name such as capsule.example.com' })).optional(),
      /**
       * A certificate you supply (e.g. from certbot) instead of a generated one. Paths are relative to the
       * project root (or absolute) and must resolve inside the project directory after following symbolic links;
       * the files are read by Terraform at apply time, never at synth.
       */
      customCertificate: z
        .strictObject({
          /** PEM certificate chain (e.g. certbot's fullchain.pem). */
          certFile: filePath,
          /** PEM private key (e.g. certbot's privkey.pem). */
          keyFile: filePath,
          /** PEM CA certificate, only when the certificate is not from a public CA. */
          caFile: filePath.optional(),
        })
        .optional(),
    })
    .superRefine((p, ctx) => {
      if (p.ca && p.customCertificate) {
        ctx.addIssue({ code: 'custom', path: ['ca'], input: p.ca, message: 'is only for the CA this project makes; remove it with customCertificate (your certificate brings its own CA: caFile)' });
      }
    })
    .optional(),
});

