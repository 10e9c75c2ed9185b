/** JMH benchmarks of Cairn against the raw libraries it wraps, measured in the same run. */
package dev.cairn.benchmarks;
