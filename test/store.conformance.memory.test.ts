import { MemoryStore } from '../src/store/memory';
import { describeStoreConformance } from '../src/store/conformance';

describeStoreConformance('MemoryStore', () => new MemoryStore({ passwordCost: 10 }));
