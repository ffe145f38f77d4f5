package dev.procflux.cli;

import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * How job arguments are read and grouped: the sources, the record delimiter, columns, header and how many
 * arguments each job gets. Immutable.
 *
 * @param sources the sources in command-line order; empty means stdin (or {@code -f FILE})
 * @param linkAll {@code --link}: pair every source, wrapping the shorter ones
 * @param delimiter the record delimiter's bytes ({@code \n} by default)
 * @param colsep {@code --colsep}: splits each record into columns, or null
 * @param header {@code --header :}: the first record of each source names its columns
 * @param maxArgs {@code -n}/{@code -N}: arguments per job, 0 when not given
 * @param fill {@code -X}/{@code -m}: as many arguments per job as spread the input over the job slots
 * @param explicit whether any of these differ from reading one line per job from stdin or {@code -f}
 */
record ArgumentOptions(List<ArgumentSource> sources, boolean linkAll, byte[] delimiter, @Nullable Pattern colsep,
        boolean header, int maxArgs, boolean fill, boolean explicit) {

    static final byte[] NEWLINE = {'\n'};

    ArgumentOptions {
        sources = List.copyOf(sources);
        delimiter = delimiter.clone();
    }

    @Override
    public byte[] delimiter() {
        return delimiter.clone();
    }
}
