import type { ProductStarters } from '../../server/product.ts'
import { loadDemoDataIfEmpty } from '../demo/load.ts'
import { bootStack } from './index.ts'

/**
 * What `npm start` runs the product on: the services the configuration names or the embedded
 * ones this stack starts, and the demo data it loads into an empty embedded database.
 */
export const devStarters: ProductStarters = {
  startServices: bootStack,
  loadDemoData: loadDemoDataIfEmpty,
}
