import type { TemplateJson } from './synth';

/** Values the pseudo parameters resolve to: a fictitious deployment. */
export const PSEUDO_VALUES: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'eu-west-1',
  'AWS::AccountId': '222222222222',
  'AWS::URLSuffix': 'amazonaws.com',
};

/**
 * Resolves the intrinsic functions a template uses in policies (`Ref`, `Fn::Join`, `Fn::GetAtt`,
 * `Fn::Select`, `Fn::Split`) to strings, the way CloudFormation would in the fictitious deployment
 * of {@link PSEUDO_VALUES}. A resource's `Ref` resolves through `refOf` (for example a state
 * machine's ARN from its `StateMachineName`); anything else is left as a readable `<Ref:Id>`.
 */
export function resolveIntrinsics(
  value: TemplateJson,
  refOf: (logicalId: string) => string | undefined = () => undefined,
): TemplateJson {
  const resolve = (v: TemplateJson): TemplateJson => {
    if (Array.isArray(v)) return v.map(resolve);
    if (!v || typeof v !== 'object') return v;
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const [key] = keys as [string];
      const arg = v[key];
      if (key === 'Ref') return PSEUDO_VALUES[arg] ?? refOf(arg) ?? `<Ref:${arg}>`;
      if (key === 'Fn::Join') return (resolve(arg[1]) as string[]).join(arg[0]);
      if (key === 'Fn::GetAtt') return `<${(arg as string[]).join('.')}>`;
      if (key === 'Fn::Select') return (resolve(arg[1]) as string[])[Number(arg[0])];
      if (key === 'Fn::Split') return String(resolve(arg[1])).split(arg[0]);
    }
    return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, resolve(inner)]));
  };
  return resolve(value);
}
