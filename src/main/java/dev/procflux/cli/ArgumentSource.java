package dev.procflux.cli;

import java.util.List;

/**
 * One input source of GNU parallel's: the values after {@code :::}, or the records of a file ({@code ::::},
 * {@code -a}, {@code -f}; {@code -} is stdin). Several sources combine as their cross product, or pairwise when
 * linked ({@code :::+}, {@code ::::+}, {@code --link}).
 */
sealed interface ArgumentSource {
    /** @return whether this source is paired with the one before it rather than crossed with it */
    boolean linked();

    /** The values given on the command line after {@code :::} or {@code :::+}. */
    record Values(List<String> values, boolean linked) implements ArgumentSource {
        public Values {
            values = List.copyOf(values);
        }
    }

    /** The records of a file, split at the delimiter; {@code -} is stdin. */
    record File(String path, boolean linked) implements ArgumentSource {
        public boolean isStdin() {
            return path.equals("-");
        }
    }
}
