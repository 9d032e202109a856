package dev.zhyper.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed server certificate for {@code localhost} / {@code 127.0.0.1}, made at run time with the running
 * JDK's {@code keytool} (no key material is ever shipped): a PKCS12 key store with the key and certificate, and a
 * PKCS12 trust store with the certificate, both under one random password. For tests and loopback stacks.
 *
 * @param keyStore   PKCS12 key store (alias {@code server})
 * @param trustStore PKCS12 trust store holding the certificate (alias {@code server})
 * @param password   password of both stores and of the key
 */
public record SelfSignedTls(Path keyStore, Path trustStore, String password) {

    public static final String STORE_TYPE = "PKCS12";

    /** Makes {@code dir/server.p12} and {@code dir/trust.p12} (dir created). Takes a second or two (3 keytool runs). */
    public static SelfSignedTls generate(Path dir) {
        try {
            Files.createDirectories(dir);
            byte[] pw = new byte[12];
            new SecureRandom().nextBytes(pw);
            String password = HexFormat.of().formatHex(pw);
            Path ks = dir.resolve("server.p12");
            Path crt = dir.resolve("server.crt");
            Path ts = dir.resolve("trust.p12");
            for (Path p : List.of(ks, crt, ts)) Files.deleteIfExists(p);
            keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-sigalg", "SHA256withECDSA", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                    "-validity", "30", "-keystore", ks.toString(), "-storetype", STORE_TYPE,
                    "-storepass", password, "-keypass", password);
            keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", ks.toString(), "-storetype", STORE_TYPE,
                    "-storepass", password, "-file", crt.toString());
            keytool("-importcert", "-noprompt", "-alias", "server", "-file", crt.toString(), "-keystore", ts.toString(),
                    "-storetype", STORE_TYPE, "-storepass", password);
            return new SelfSignedTls(ks, ts, password);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void keytool(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            boolean done = p.waitFor(60, TimeUnit.SECONDS);
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!done) {
                p.destroyForcibly();
                throw new IllegalStateException("keytool " + args[0] + " did not finish within 60 s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed (" + p.exitValue() + "): " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }
}
