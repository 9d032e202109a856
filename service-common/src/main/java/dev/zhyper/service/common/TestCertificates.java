package dev.zhyper.service.common;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * For tests: a throw-away certificate authority and certificates it signs, made at test time with the JDK's
 * {@code keytool} (no extra dependency), written as PEM files: {@code ca.pem}, and for each leaf {@code <name>.pem}
 * (certificate + CA chain) and {@code <name>.key} (PKCS#8 private key). Valid for two days; RSA 2048.
 */
public final class TestCertificates {

    private static final String PASS = "zhyper-test";

    /** Where the files are. */
    public record Issued(Path ca, Path dir) {
        public Path cert(String name) {
            return dir.resolve(name + ".pem");
        }

        public Path key(String name) {
            return dir.resolve(name + ".key");
        }
    }

    private TestCertificates() {
    }

    /** A leaf: its file name, subject, and SAN extension value (or null). */
    public record Leaf(String name, String subject, String san) { }

    /** Creates the CA and the leaves in {@code dir}. */
    public static Issued create(Path dir, List<Leaf> leaves) {
        try {
            Files.createDirectories(dir);
            Path caStore = dir.resolve("ca.p12");
            keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                    "-dname", "CN=zhyper-test-ca", "-ext", "bc:c", "-keystore", caStore.toString(),
                    "-storetype", "PKCS12", "-storepass", PASS);
            Path ca = dir.resolve("ca.pem");
            keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", caStore.toString(), "-storepass", PASS,
                    "-file", ca.toString());
            for (Leaf l : leaves) {
                Path store = dir.resolve(l.name() + ".p12");
                keytool("-genkeypair", "-alias", l.name(), "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                        "-dname", l.subject(), "-keystore", store.toString(), "-storetype", "PKCS12",
                        "-storepass", PASS);
                Path csr = dir.resolve(l.name() + ".csr");
                keytool("-certreq", "-alias", l.name(), "-keystore", store.toString(), "-storepass", PASS,
                        "-file", csr.toString());
                Path cert = dir.resolve(l.name() + ".crt");
                List<String> args = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-keystore", caStore.toString(),
                        "-storepass", PASS, "-infile", csr.toString(), "-outfile", cert.toString(), "-rfc",
                        "-validity", "2", "-ext", "eku=serverAuth,clientAuth",
                        "-ext", "ku=digitalSignature,keyEncipherment"));
                if (l.san() != null) {
                    args.add("-ext");
                    args.add("san=" + l.san());
                }
                keytool(args.toArray(String[]::new));
                Files.writeString(dir.resolve(l.name() + ".pem"), Files.readString(cert) + Files.readString(ca));
                KeyStore ks = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(store)) {
                    ks.load(in, PASS.toCharArray());
                }
                Key k = ks.getKey(l.name(), PASS.toCharArray());
                String pem = "-----BEGIN PRIVATE KEY-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(k.getEncoded())
                        + "\n-----END PRIVATE KEY-----\n";
                Files.writeString(dir.resolve(l.name() + ".key"), pem);
            }
            return new Issued(ca, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void keytool(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool " + args[0] + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
