import { jest } from '@jest/globals';

/**
 * Tests against servers wait for things (a projection catching up, a job running), up to 10-15 s
 * per wait. Jest's timeout stays above a test's waits, so that a failing wait reports what it
 * waited for and the test still closes what it opened, instead of Jest abandoning it with its
 * pools running; a test that waits longer still sets its own. (`testTimeout` cannot be set per
 * project in jest.config, so each server project loads this file.)
 */
jest.setTimeout(60_000);
