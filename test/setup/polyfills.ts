import { installPolyfills } from '../../functions/local/polyfills';

installPolyfills();
