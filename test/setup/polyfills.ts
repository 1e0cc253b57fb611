import { installPolyfills } from '../../local-runner/polyfills';

installPolyfills();
