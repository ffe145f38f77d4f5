package dev.procflux.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a joblog back for {@code --resume} and {@code --resume-failed}, as GNU parallel does: {@code --resume}
 * skips every Seq the log has a line for; {@code --resume-failed} skips only those that succeeded (Exitval 0 and
 * Signal 0) and runs the others again. Lines of several logs concatenated (the shards of one batch) are read the
 * same; a repeated header line is ignored, and the last line for a Seq decides.
 */
final class JobLogs {
    private JobLogs() {
    }

    /**
     * @param log the joblog
     * @param failedRun whether to return only the succeeded Seqs ({@code --resume-failed})
     * @return the Seq numbers not to run again
     * @throws IOException if the log cannot be read
     * @throws UsageException for a line that is not a joblog line
     */
    static Set<Long> finished(Path log, boolean failedRun) throws IOException {
        // Latin-1 maps every byte to a character, so a Command column that is not UTF-8 reads without error; lines
        // end at \n only, as the joblog writes them: a \r is part of a command
        List<String> lines = List.of(new String(Files.readAllBytes(log), StandardCharsets.ISO_8859_1).split("\n"));
        Set<Long> done = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty() || line.equals(JobLog.HEADER)) {
                continue;
            }
            String[] f = line.split("\t", 9);
            try {
                long seq = Long.parseLong(f[0]);
                boolean succeeded = f.length >= 8 && Integer.parseInt(f[6]) == 0 && Integer.parseInt(f[7]) == 0;
                if (!failedRun || succeeded) {
                    done.add(seq);
                }
                else {
                    done.remove(seq);
                }
            }
            catch (NumberFormatException e) {
                throw new UsageException("--joblog " + log + " line " + (i + 1) + " is not a joblog line: " + line, e);
            }
        }
        return done;
    }
}
