/** The controls every record and message cites. */
export interface ComplianceReference {
  framework: string;
  control: string;
  title: string;
}

export const COMPLIANCE_REFERENCES: readonly ComplianceReference[] = [
  { framework: 'AWS Security Hub', control: 'IAM.4', title: 'IAM root user access key should not exist' },
  { framework: 'AWS Config', control: 'iam-root-access-key-check', title: 'Root account access key check' },
  {
    framework: 'PCI DSS 3.2.1',
    control: '2.1',
    title: 'Always change vendor-supplied defaults and remove or disable unnecessary default accounts',
  },
  { framework: 'PCI DSS 3.2.1', control: '2.2', title: 'Develop configuration standards for all system components' },
  {
    framework: 'PCI DSS 3.2.1',
    control: '7.2.1',
    title: 'Coverage of all system components by the access control system',
  },
  {
    framework: 'CIS AWS Foundations Benchmark',
    control: '1.4 (v1.4.0; 2.3 in v5.0.0)',
    title: 'Ensure no root user account access key exists',
  },
  {
    framework: 'NIST SP 800-53 Rev. 5',
    control: 'AC-2(1)',
    title: 'Account Management | Automated System Account Management',
  },
  { framework: 'NIST SP 800-53 Rev. 5', control: 'AC-6', title: 'Least Privilege' },
];

export function formatReference(ref: ComplianceReference): string {
  return `${ref.framework} ${ref.control}`;
}
