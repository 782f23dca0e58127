// Set up before every test file (vitest setupFiles): its temporary directories go when it ends.
import { afterAll } from 'vitest';
import { removeTempDirs } from './temp.js';

afterAll(removeTempDirs);
