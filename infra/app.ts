#!/usr/bin/env node
// The CDK app (`cdk.json`: `npx tsx infra/app.ts`). Configuration: `rootkey:*` context, see infra/config.ts.
import { buildRootKeyApp } from './build-app';

buildRootKeyApp().app.synth();
