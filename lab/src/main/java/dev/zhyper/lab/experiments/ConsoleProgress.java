package dev.zhyper.lab.experiments;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * A one-line progress bar (carriage-return redraws): runs done / total, the current run's step and loss, ETA.
 * The ETA assumes the remaining runs cost what the finished ones did per step and per evaluation. With
 * {@code interactive} false (a log file), a line is printed every ~5% of a run instead.
 */
public final class ConsoleProgress implements ExperimentListener {
    private final PrintWriter err;
    private final boolean interactive;
    private final List<ExperimentPlan.Cell> cells;
    private final int steps;
    private final long start = System.nanoTime();
    private double stepMillis;      // measured mean optimizer-step time
    private long stepsSeen;
    private double evalSeconds;     // measured mean evaluation (+ load) time
    private int evalsSeen;
    private double overheadSeconds; // per-run time not spent in steps nor evaluation
    private int index;
    private int done;
    private long runStart;
    private double runStepMillis;
    private long lastDraw;

    public ConsoleProgress(PrintWriter err, boolean interactive, ExperimentPlan plan) {
        this.err = err;
        this.interactive = interactive;
        this.cells = plan.cells();
        this.steps = plan.steps();
    }

    @Override
    public void runStarted(int index, int total, ExperimentPlan.Cell cell, int steps) {
        this.index = index;
        this.runStart = System.nanoTime();
        this.runStepMillis = 0;
        draw(String.format(Locale.ROOT, "%s: %s", cell.id(), steps > 0 ? "loading" : "evaluating"), true);
    }

    @Override
    public void step(ExperimentPlan.Cell cell, long step, int steps, double loss, long millis) {
        stepMillis = (stepMillis * stepsSeen + millis) / (stepsSeen + 1);
        stepsSeen++;
        runStepMillis += millis;
        boolean mark = !interactive && (step + 1) % Math.max(1, steps / 20) == 0;
        draw(String.format(Locale.ROOT, "%s step %d/%d loss %.3f", cell.id(), step + 1, steps, loss),
                mark || step + 1 == steps);
    }

    @Override
    public void evaluating(ExperimentPlan.Cell cell, int d, int total) {
        draw(String.format(Locale.ROOT, "%s eval %d/%d", cell.id(), d, total), false);
    }

    @Override
    public void runFinished(int index, int total, ExperimentPlan.Cell cell, RunResult r, boolean skipped) {
        done++;
        if (!skipped) {
            double runSeconds = (System.nanoTime() - runStart) / 1e9;
            evalSeconds = (evalSeconds * evalsSeen + r.evalSeconds()) / (evalsSeen + 1);
            double over = Math.max(0, runSeconds - r.evalSeconds() - runStepMillis / 1000);
            overheadSeconds = (overheadSeconds * evalsSeen + over) / (evalsSeen + 1);
            evalsSeen++;
        }
        String line = String.format(Locale.ROOT, "[%d/%d] %s %s seen %.1f%% held-out %s", done, total, cell.id(),
                skipped ? "(done before)" : String.format(Locale.ROOT, "%.0fs", r.trainSeconds() + r.evalSeconds()),
                100 * r.seenAccuracy(), r.heldOutAccuracy() == null ? "n/a"
                        : String.format(Locale.ROOT, "%.1f%%", 100 * r.heldOutAccuracy()));
        clear();
        err.println(line);
        err.flush();
    }

    @Override
    public void finished() {
        clear();
        err.printf(Locale.ROOT, "grid done in %s%n", hms((System.nanoTime() - start) / 1e9));
        err.flush();
    }

    private void draw(String what, boolean force) {
        long now = System.nanoTime();
        if (!force && (now - lastDraw < 250_000_000L || !interactive)) {
            return;
        }
        lastDraw = now;
        int total = cells.size();
        int width = 24;
        int filled = (int) Math.round(width * (double) done / Math.max(1, total));
        String bar = "#".repeat(filled) + "-".repeat(width - filled);
        String line = String.format(Locale.ROOT, "[%s] %d/%d runs | %s | ETA %s", bar, done, total, what, eta());
        if (interactive) {
            err.print("\r" + line + "\033[K");
        } else {
            err.println(line);
        }
        err.flush();
    }

    private void clear() {
        if (interactive) {
            err.print("\r\033[K");
        }
    }

    /** Remaining steps × measured step time + remaining evaluations × measured evaluation time. */
    private String eta() {
        if (stepsSeen == 0 && evalsSeen == 0) {
            return "?";
        }
        double remaining = 0;
        double perEval = evalsSeen == 0 ? 0 : evalSeconds + overheadSeconds;
        double currentSteps = runStepMillis / Math.max(1e-9, stepMillis);
        for (int i = index; i < cells.size(); i++) {
            boolean trains = cells.get(i).method().trains();
            double s = trains ? steps : 0;
            if (i == index) {
                s = Math.max(0, s - currentSteps);
            }
            remaining += s * stepMillis / 1000 + perEval;
        }
        return hms(remaining);
    }

    static String hms(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
