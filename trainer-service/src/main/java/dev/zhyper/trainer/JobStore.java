package dev.zhyper.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zhyper.proto.v1.Job;
import dev.zhyper.proto.v1.StartJobRequest;
import dev.zhyper.service.common.ProtoJson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Jobs on disk, so they and their states survive restarts: {@code <root>/.jobs/<id>.json} (the request, state, step,
 * checkpoint, error; rewritten atomically at every change) and {@code <root>/.jobs/<id>.partial/} (the job's
 * in-progress checkpoint, written every {@code zhyper.trainer.job-checkpoint-every} steps, which RESUME continues).
 * Hidden, so checkpoint listings never see them.
 */
final class JobStore {

    static final String DIR = ".jobs";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A job as stored. */
    record Stored(StartJobRequest request, Job job) {}

    private final Path dir;

    JobStore(Path root) {
        this.dir = root.resolve(DIR);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    Path partial(String id) {
        return dir.resolve(id + ".partial");
    }

    synchronized void save(StartJobRequest request, Job job) {
        ObjectNode n = JSON.createObjectNode();
        try {
            n.set("request", JSON.readTree(ProtoJson.toJson(request)));
            n.set("job", JSON.readTree(ProtoJson.toJson(job)));
            Path f = dir.resolve(job.getJobId() + ".json");
            Path tmp = dir.resolve("." + job.getJobId() + "-" + System.nanoTime() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(JSON.writeValueAsBytes(n)));
                ch.force(true);
            }
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save job " + job.getJobId(), e);
        }
    }

    /** Every stored job (a damaged file is skipped with its name in the returned problems). */
    synchronized List<Stored> load(List<String> problems) {
        List<Stored> out = new ArrayList<>();
        try (var s = Files.list(dir)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                String name = f.getFileName().toString();
                if (name.startsWith(".") && name.endsWith(".tmp")) {
                    Files.deleteIfExists(f);
                    continue;
                }
                if (!name.endsWith(".json") || !Files.isRegularFile(f)) continue;
                try {
                    JsonNode n = JSON.readTree(f.toFile());
                    StartJobRequest req = ProtoJson.fromJson(n.get("request").toString(), StartJobRequest::newBuilder);
                    Job job = ProtoJson.fromJson(n.get("job").toString(), Job::newBuilder);
                    out.add(new Stored(req, job));
                } catch (IOException | RuntimeException e) {
                    problems.add(f + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return out;
    }
}
