import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// No globals in this project: unmount rendered trees after each test ourselves.
afterEach(() => cleanup());
