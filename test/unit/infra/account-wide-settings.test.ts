import { synthesizeApp } from '../../support/infra/synth';

/**
 * The stack changes nothing outside its own resources unless asked: API Gateway's CloudWatch Logs
 * role (`AWS::ApiGateway::Account`) is one setting for the whole account and Region, shared by
 * every API there, so it is created only with `rootkey:apiGatewayCloudWatchRole=true`.
 */
describe('account-wide settings', () => {
  it('leaves API Gateway account settings alone by default', () => {
    const { centralTemplate } = synthesizeApp();
    centralTemplate.resourceCountIs('AWS::ApiGateway::Account', 0);
  }, 240_000);

  it('sets the API Gateway CloudWatch role only when asked', () => {
    const { centralTemplate } = synthesizeApp({ 'rootkey:apiGatewayCloudWatchRole': 'true' });
    centralTemplate.resourceCountIs('AWS::ApiGateway::Account', 1);
  }, 240_000);
});
