package dev.zhyper.lab.suite;

import java.nio.file.Path;

/**
 * Writes the suite: {@code GenerateSuite <outDir> <seed> [--pretrain <bytes>]}. With {@code --pretrain}, also writes
 * {@code pretrain.txt} of about that many bytes (not committed; see the suite README).
 */
public final class GenerateSuite {
    private GenerateSuite() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2 && args.length != 4) {
            System.err.println("usage: GenerateSuite <outDir> <seed> [--pretrain <bytes>]");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        TaskSuite suite = TaskSuite.generate(seed);
        SuiteWriter.write(suite, out);
        System.out.printf("wrote %d training tasks, %d held-out tasks, %d/%d/%d examples to %s%n",
                TaskSuite.trainingTasks().size(), TaskSuite.heldOutTasks().size(), suite.train().size(),
                suite.validation().size(), suite.test().size(), out);
        if (args.length == 4) {
            if (!args[2].equals("--pretrain")) {
                System.err.println("unknown option " + args[2]);
                System.exit(2);
            }
            long lines = new PretrainCorpus(suite, seed).write(out.resolve("pretrain.txt"), Long.parseLong(args[3]));
            System.out.printf("wrote %d pretraining lines to %s%n", lines, out.resolve("pretrain.txt"));
        }
    }
}
