package dev.procflux.cli;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The arguments of each job, read from the {@link ArgumentSource}s as GNU parallel reads them: each source gives
 * records (split into columns by {@code --colsep}); sources combine as their cross product, the last varying
 * fastest ({@code ::: a b ::: 1 2} gives {@code a 1}, {@code a 2}, {@code b 1}, {@code b 2}); linked sources are
 * paired instead, {@code :::+} stopping at the shortest and {@code --link} wrapping the shorter ones; then
 * {@code -n N} records make one job's arguments.
 *
 * <p>Memory: the first source is read lazily, one record at a time, when it is not linked to another; the other
 * sources are read whole, since each of their records is used once per record of the first. With {@code -X} or
 * {@code -m} (and no {@code -n}) everything is read first, to spread it evenly over the job slots.
 *
 * <p>Not thread-safe: used by the thread that reads input. Read errors arrive as {@link UncheckedIOException}.
 */
final class Arguments implements Iterator<List<String>>, Closeable {
    private final List<Closeable> opened = new ArrayList<>();
    private final Map<String, Integer> header = new HashMap<>();
    private final Iterator<List<String>> records;
    private final int perJob;
    private @Nullable List<String> next;

    /**
     * @param options what to read
     * @param stdin the input for {@code -} and for no source at all
     * @param file {@code -f FILE}, read as the first source, or null
     * @param slots the job slots {@code -X}/{@code -m} spread the arguments over
     * @throws IOException if a file cannot be opened
     */
    Arguments(ArgumentOptions options, InputStream stdin, @Nullable String file, int slots) throws IOException {
        try {
            List<ArgumentSource> sources = new ArrayList<>();
            if (file != null) {
                sources.add(new ArgumentSource.File(file, false));
            }
            sources.addAll(options.sources());
            if (sources.isEmpty()) {
                sources.add(new ArgumentSource.File("-", false));
            }
            List<Iterator<List<String>>> iterators = new ArrayList<>();
            int offset = 0;
            for (ArgumentSource s : sources) {
                Iterator<List<String>> it = open(s, options, stdin);
                if (options.header()) {
                    if (it.hasNext()) {
                        List<String> names = it.next();
                        for (int i = 0; i < names.size(); i++) {
                            header.putIfAbsent(names.get(i), offset + i);
                        }
                        offset += names.size();
                    }
                }
                iterators.add(it);
            }
            // group the sources: a linked source joins the group of the one before it
            List<List<Iterator<List<String>>>> groups = new ArrayList<>();
            for (int i = 0; i < sources.size(); i++) {
                if (i > 0 && (options.linkAll() || sources.get(i).linked())) {
                    groups.get(groups.size() - 1).add(iterators.get(i));
                }
                else {
                    groups.add(new ArrayList<>(List.of(iterators.get(i))));
                }
            }
            Iterator<List<String>> first = groups.get(0).size() == 1 ? groups.get(0).get(0)
                    : linked(groups.get(0), options.linkAll()).iterator();
            List<List<List<String>>> rest = new ArrayList<>();
            for (List<Iterator<List<String>>> g : groups.subList(1, groups.size())) {
                rest.add(linked(g, options.linkAll()));
            }
            Iterator<List<String>> product = rest.isEmpty() ? first : new Product(first, rest);
            if (options.fill() && options.maxArgs() == 0) {
                List<List<String>> all = new ArrayList<>();
                product.forEachRemaining(all::add);
                perJob = Math.max(1, (all.size() + slots - 1) / Math.max(1, slots));
                records = all.iterator();
            }
            else {
                perJob = Math.max(1, options.maxArgs());
                records = product;
            }
        }
        catch (IOException | RuntimeException e) {
            // the sources opened before the one that failed
            closeOpened(e);
            throw e;
        }
    }

    /** @return the column names of {@code --header :}, mapped to 0-based argument positions */
    Map<String, Integer> header() {
        return Map.copyOf(header);
    }

    @Override
    public boolean hasNext() {
        if (next == null && records.hasNext()) {
            List<String> job = new ArrayList<>(records.next());
            for (int i = 1; i < perJob && records.hasNext(); i++) {
                job.addAll(records.next());
            }
            next = job;
        }
        return next != null;
    }

    @Override
    public List<String> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        List<String> job = next;
        next = null;
        return job;
    }

    private Iterator<List<String>> open(ArgumentSource source, ArgumentOptions options, InputStream stdin)
            throws IOException {
        Iterator<String> values;
        if (source instanceof ArgumentSource.Values v) {
            values = v.values().iterator();
        }
        else {
            ArgumentSource.File f = (ArgumentSource.File) source;
            InputStream in = f.isStdin() ? stdin : InputFiles.open(f.path());
            RecordReader reader = new RecordReader(in, f.isStdin() ? "stdin" : f.path(), options.delimiter());
            opened.add(reader);
            values = reader;
        }
        Pattern colsep = options.colsep();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return values.hasNext();
            }

            @Override
            public List<String> next() {
                String value = values.next();
                return colsep == null ? List.of(value) : Arrays.asList(colsep.split(value, -1));
            }
        };
    }

    /** Pairs the records of linked sources: wrapping the shorter ones ({@code --link}) or up to the shortest. */
    private static List<List<String>> linked(List<Iterator<List<String>>> sources, boolean wrap) {
        List<List<List<String>>> all = new ArrayList<>();
        for (Iterator<List<String>> it : sources) {
            List<List<String>> records = new ArrayList<>();
            it.forEachRemaining(records::add);
            all.add(records);
        }
        int size = wrap ? all.stream().mapToInt(List::size).max().orElse(0)
                : all.stream().mapToInt(List::size).min().orElse(0);
        if (all.stream().anyMatch(List::isEmpty)) {
            size = 0;
        }
        List<List<String>> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            List<String> record = new ArrayList<>();
            for (List<List<String>> records : all) {
                record.addAll(records.get(i % records.size()));
            }
            out.add(record);
        }
        return out;
    }

    /** The cross product of a lazily read first source with fully read other ones, the last varying fastest. */
    private static final class Product implements Iterator<List<String>> {
        private final Iterator<List<String>> first;
        private final List<List<List<String>>> rest;
        private final int[] index;
        private @Nullable List<String> current;

        Product(Iterator<List<String>> first, List<List<List<String>>> rest) {
            this.first = rest.stream().anyMatch(List::isEmpty) ? List.<List<String>>of().iterator() : first;
            this.rest = rest;
            this.index = new int[rest.size()];
        }

        @Override
        public boolean hasNext() {
            return current != null || first.hasNext();
        }

        @Override
        public List<String> next() {
            if (current == null) {
                current = first.next();
            }
            List<String> record = new ArrayList<>(current);
            for (int i = 0; i < rest.size(); i++) {
                record.addAll(rest.get(i).get(index[i]));
            }
            // advance the odometer, the last source fastest
            int i = rest.size() - 1;
            while (i >= 0 && ++index[i] == rest.get(i).size()) {
                index[i] = 0;
                i--;
            }
            if (i < 0) {
                current = null;
            }
            return record;
        }
    }

    private void closeOpened(Exception failure) {
        try {
            close();
        }
        catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (Closeable c : opened) {
            try {
                c.close();
            }
            catch (IOException e) {
                if (failure == null) {
                    failure = e;
                }
                else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
