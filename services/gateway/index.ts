/** The Pixotope-compatible HTTP Gateway (docs/PROTOCOL-EXTENSIONS.md "The Pixotope Gateway"). */
export { startGateway, type Gateway } from './gateway.ts';
export { DEFAULT_GATEWAY_PORT, GATEWAY_ARGS, gatewayArgsFrom, type GatewayOptions } from './config.ts';
export { assertGatewayBinding, tokenRequired } from './access.ts';
