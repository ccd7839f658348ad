/**
 * Internal: the Allure results of a run: each benchmark's parameters, labels, description and
 * attachments, and the run's environment and categories.
 */
package dev.callosum.perf.allure;
