/**
 * Runnable examples of Cairn: each class has a {@code main} and a {@code run} method that the
 * tests call on a temporary directory. {@link dev.cairn.examples.CasinoDemo} is what
 * {@code ./cairn demo} runs; the command-line tool lives in {@code dev.cairn.examples.cli}.
 */
package dev.cairn.examples;
