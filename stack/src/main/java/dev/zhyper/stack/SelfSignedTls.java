package dev.zhyper.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
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

    /** Makes {@code dir/server.p12} and {@code dir/trust.p12} (dir created). Runs keytool once. */
    public static SelfSignedTls generate(Path dir) {
        try {
            Files.createDirectories(dir);
            byte[] pw = new byte[12];
            new SecureRandom().nextBytes(pw);
            String password = HexFormat.of().formatHex(pw);
            Path ks = dir.resolve("server.p12");
            Path ts = dir.resolve("trust.p12");
            for (Path p : List.of(ks, ts)) Files.deleteIfExists(p);
            keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-sigalg", "SHA256withECDSA", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                    "-validity", "30", "-keystore", ks.toString(), "-storetype", STORE_TYPE,
                    "-storepass", password, "-keypass", password);
            // the trust store: the certificate alone (KeyStore API: one keytool run is enough)
            KeyStore keys = KeyStore.getInstance(STORE_TYPE);
            try (InputStream in = Files.newInputStream(ks)) {
                keys.load(in, password.toCharArray());
            }
            KeyStore trust = KeyStore.getInstance(STORE_TYPE);
            trust.load(null, null);
            trust.setCertificateEntry("server", keys.getCertificate("server"));
            try (OutputStream out = Files.newOutputStream(ts)) {
                trust.store(out, password.toCharArray());
            }
            return new SelfSignedTls(ks, ts, password);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("writing the trust store failed", e);
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
