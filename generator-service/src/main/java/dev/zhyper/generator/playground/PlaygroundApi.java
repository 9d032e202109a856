package dev.zhyper.generator.playground;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zhyper.core.adapter.AdapterSite;
import dev.zhyper.core.adapter.ContextModulation;
import dev.zhyper.generator.Announcements;
import dev.zhyper.generator.ArmChooser;
import dev.zhyper.generator.CheckpointConsumer;
import dev.zhyper.generator.EngineHandle;
import dev.zhyper.generator.Modulations;
import dev.zhyper.generator.Serving;
import dev.zhyper.generator.openai.OpenAiApi;
import dev.zhyper.generator.openai.OpenAiError;
import dev.zhyper.generator.openai.ServedModels;
import dev.zhyper.proto.v1.GateResult;
import io.grpc.StatusRuntimeException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.UUID;

/**
 * The small JSON endpoints of the playground page ({@code /playground/}), beside the OpenAI API:
 * <ul>
 *   <li>{@code POST /zhyper/v1/modulation} {@code {"description": "...", "user": "..."}} → the z of every adapted
 *   layer and module for that description, computed for the checkpoint of the arm that {@code user} is assigned to
 *   (the arm that answers the playground's adapted request with the same {@code user}):
 *   {@code {"arm", "checkpoint_id", "method", "sites": [{"layer", "module", "values": [...]}]}};</li>
 *   <li>{@code GET /zhyper/v1/serving} → the base model, the A/B arms with weight, checkpoint and (when the
 *   checkpoint was announced on zhyper.checkpoints) its {@code status} and {@code gate}, and {@code checkpoints}: the
 *   recently announced checkpoints, newest first, with status, {@code never_served} (REJECTED, UNGATED), the arms
 *   serving them and the gate ({@code passed, accuracy, served_accuracy, served_checkpoint_id, items, margin,
 *   reason, eval_set}; null when not gated).</li>
 * </ul>
 * Errors are OpenAI error objects (as the OpenAI API's).
 */
@ApplicationScoped
public class PlaygroundApi {

    private static final Logger LOG = Logger.getLogger(PlaygroundApi.class);
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    @Inject
    Serving serving;

    @Inject
    Modulations modulations;

    @Inject
    ServedModels models;

    @Inject
    CheckpointConsumer checkpoints;

    void routes(@Observes Router router) {
        router.post("/zhyper/v1/modulation").handler(BodyHandler.create(false).setBodyLimit(64 * 1024))
                .blockingHandler(this::modulation, false);
        router.get("/zhyper/v1/serving").handler(ctx -> send(ctx.response(), 200, serving()));
        // Vert.x matches "/playground" for "/playground/" too: redirect the bare path only
        router.get("/playground").handler(ctx -> {
            if (ctx.request().path().equals("/playground")) ctx.redirect("/playground/");
            else ctx.next();
        });
    }

    ObjectNode serving() {
        ObjectNode o = F.objectNode();
        o.put("base_model", models.baseName());
        ArrayNode arms = o.putArray("arms");
        Map<String, String> ckpts = serving.armCheckpoints();
        double total = serving.chooser().arms().stream().mapToDouble(ArmChooser.ArmSpec::weight).sum();
        for (ArmChooser.ArmSpec a : serving.chooser().arms()) {
            ObjectNode arm = arms.addObject();
            arm.put("name", a.name());
            arm.put("weight", a.weight());
            arm.put("share", a.weight() / total);
            String c = ckpts.get(a.name());
            if (c == null || c.isEmpty()) arm.putNull("checkpoint_id");
            else arm.put("checkpoint_id", c);
            Announcements.Seen seen = announcements().get(c).orElse(null);
            if (seen == null) arm.putNull("status");
            else arm.put("status", seen.status().name());
            putGate(arm, seen);
        }
        ArrayNode list = o.putArray("checkpoints");
        for (Announcements.Seen seen : announcements().recent()) {
            ObjectNode ck = list.addObject();
            ck.put("checkpoint_id", seen.checkpointId());
            ck.put("status", seen.status().name());
            ck.put("sequence", seen.sequence());
            ck.put("never_served", seen.neverServed());
            ArrayNode servedBy = ck.putArray("arms");
            ckpts.forEach((arm, id) -> {
                if (seen.checkpointId().equals(id)) servedBy.add(arm);
            });
            putGate(ck, seen);
        }
        return o;
    }

    private Announcements announcements() {
        var updater = checkpoints.updater();
        return updater == null ? EMPTY : updater.announcements();
    }

    private static final Announcements EMPTY = new Announcements();

    private static void putGate(ObjectNode o, Announcements.Seen seen) {
        GateResult g = seen == null ? null : seen.gate();
        if (g == null) {
            o.putNull("gate");
            return;
        }
        ObjectNode gate = o.putObject("gate");
        gate.put("passed", g.getPassed());
        gate.put("accuracy", g.getAccuracy());
        if (g.getServedCheckpointId().isEmpty() && g.getServedAccuracy() == 0) gate.putNull("served_accuracy");
        else gate.put("served_accuracy", g.getServedAccuracy());
        if (g.getServedCheckpointId().isEmpty()) gate.putNull("served_checkpoint_id");
        else gate.put("served_checkpoint_id", g.getServedCheckpointId());
        gate.put("items", g.getItems());
        gate.put("margin", g.getMargin());
        gate.put("reason", g.getReason());
        gate.put("eval_set", g.getEvalSet());
    }

    private void modulation(RoutingContext ctx) {
        try {
            JsonNode body = ctx.body().buffer() == null ? null : OpenAiApi.parseBody(ctx.body().buffer());
            if (body == null || !body.isObject()) throw OpenAiError.invalid("The request body must be a JSON object", null);
            JsonNode d = body.get("description");
            if (d == null || !d.isTextual() || d.asText().isBlank()) {
                throw OpenAiError.invalid("'description' (a non-blank string) is required", "description");
            }
            JsonNode u = body.get("user");
            if (u != null && !u.isNull() && !u.isTextual()) throw OpenAiError.invalid("'user' must be a string", "user");
            String key = u == null || u.isNull() ? UUID.randomUUID().toString() : u.asText();
            send(ctx.response(), 200, modulate(d.asText(), key));
        } catch (OpenAiError e) {
            send(ctx.response(), e.httpStatus(), e.toJson());
        } catch (StatusRuntimeException e) {
            OpenAiError oe = OpenAiError.fromStatus(e.getStatus(), false, "description");
            send(ctx.response(), oe.httpStatus(), oe.toJson());
        } catch (RuntimeException e) {
            LOG.warn("modulation request failed", e);
            send(ctx.response(), 500, new OpenAiError(500, "server_error", "internal error: " + e, null, null).toJson());
        }
    }

    /** The z of {@code description} for the checkpoint of {@code key}'s arm. */
    ObjectNode modulate(String description, String key) {
        String arm = serving.chooser().choose(key).name();
        EngineHandle h = serving.acquire(arm);
        try {
            long t0 = System.nanoTime();
            ContextModulation z = modulations.modulate(h, description, null);
            ObjectNode o = F.objectNode();
            o.put("arm", arm);
            o.put("checkpoint_id", h.checkpointId());
            o.put("method", z.method().toString().toLowerCase(java.util.Locale.ROOT));
            o.put("modulate_ms", (System.nanoTime() - t0) / 1_000_000);
            ArrayNode sites = o.putArray("sites");
            for (int i = 0; i < z.sites().size(); i++) {
                AdapterSite s = z.sites().get(i);
                ObjectNode site = sites.addObject();
                site.put("layer", s.layer());
                site.put("module", s.module().hfName());
                ArrayNode values = site.putArray("values");
                for (float v : z.site(i)) values.add(v);
            }
            return o;
        } finally {
            h.release();
        }
    }

    private static void send(HttpServerResponse response, int status, ObjectNode json) {
        if (response.ended() || response.closed()) return;
        response.setStatusCode(status).putHeader("Content-Type", "application/json").end(json.toString());
    }
}
