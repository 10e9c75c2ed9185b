package dev.cairn.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * {@code bom/pom.xml} lists exactly the published artifacts: every module of the reactor that is
 * deployed (no {@code maven.deploy.skip}) and builds a jar, and nothing else. A module that is not
 * published skips its sources and Javadoc jars too; a published one builds both.
 */
final class BomTest {

  /**
   * Artifacts the BOM lists ahead of their modules, which are being added on other branches. A
   * name here may be absent from the reactor; once its module is there it is checked like every
   * other, and the name should be removed from this set.
   */
  static final Set<String> ANNOUNCED = Set.of();

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /** A module of the reactor as its POM declares it. */
  record Module(String folder, String artifactId, String packaging, boolean deploySkip,
      boolean javadocSkip, boolean sourceSkip) {

    boolean published() {
      return !deploySkip && packaging.equals("jar");
    }
  }

  @Test
  void theBomListsExactlyThePublishedModules() throws Exception {
    List<Module> reactor = reactor(ROOT, "");
    Set<String> bom = bomArtifacts(ROOT.resolve("bom/pom.xml"));

    assertThat(problems(reactor, bom, ANNOUNCED)).isEmpty();
    // the parse found the reactor: the modules every build has, published and not
    assertThat(reactor).extracting(Module::artifactId)
        .contains("cairn-parent", "cairn-bom", "cairn-storage-api", "cairn-backend-jdbc",
            "cairn-conformance-tests", "cairn-integration-tests", "cairn-examples",
            "cairn-benchmarks");
    assertThat(reactor).filteredOn(Module::published).extracting(Module::artifactId)
        .contains("cairn-storage-api", "cairn-backend-jdbc", "cairn-backend-sqlite",
            "cairn-backend-lmdb", "cairn-backend-h2", "cairn-backend-postgres",
            "cairn-codec-snappy", "cairn-codec-zstd", "cairn-cache-tiered", "cairn-backup",
            "cairn-conformance-tests")
        .doesNotContain("cairn-parent", "cairn-bom", "cairn-integration-tests",
            "cairn-examples", "cairn-benchmarks");
  }

  @Test
  void aPublishedModuleMissingFromTheBomIsReported() throws Exception {
    List<Module> reactor = reactor(ROOT, "");
    Set<String> bom = bomArtifacts(ROOT.resolve("bom/pom.xml"));
    bom.remove("cairn-backup");

    assertThat(problems(reactor, bom, ANNOUNCED)).containsExactly(
        "cairn-backup (backup/pom.xml) is published but bom/pom.xml does not list it");
  }

  @Test
  void aBomEntryOfNoPublishedModuleIsReported() throws Exception {
    List<Module> reactor = reactor(ROOT, "");
    Set<String> bom = bomArtifacts(ROOT.resolve("bom/pom.xml"));
    bom.add("cairn-backend-rocks");
    bom.add("cairn-examples");

    assertThat(problems(reactor, bom, ANNOUNCED)).containsExactly(
        "bom/pom.xml lists cairn-backend-rocks, which no module of the reactor builds",
        "bom/pom.xml lists cairn-examples, which is not published (examples/pom.xml sets"
            + " maven.deploy.skip)");
    Set<String> announced = new TreeSet<>(ANNOUNCED);
    announced.add("cairn-backend-rocks");
    assertThat(problems(reactor, bom, announced)).containsExactly(
        "bom/pom.xml lists cairn-examples, which is not published (examples/pom.xml sets"
            + " maven.deploy.skip)");
  }

  @Test
  void skippingDeployWithoutSkippingSourcesAndJavadocIsReported() {
    List<Module> reactor = List.of(
        new Module("app/", "cairn-app", "jar", true, false, true),
        new Module("lib/", "cairn-lib", "jar", false, false, true));

    assertThat(problems(reactor, Set.of("cairn-lib"), Set.of())).containsExactly(
        "cairn-app (app/pom.xml) is not published but still builds a Javadoc jar: set"
            + " maven.javadoc.skip",
        "cairn-lib (lib/pom.xml) is published but skips its sources jar: remove"
            + " maven.source.skip");
  }

  /** Every problem, one a line; empty when the BOM and the modules agree. */
  static List<String> problems(List<Module> reactor, Set<String> bom, Set<String> announced) {
    List<String> out = new ArrayList<>();
    Set<String> inReactor = new TreeSet<>();
    for (Module m : reactor) {
      inReactor.add(m.artifactId());
      String where = m.artifactId() + " (" + m.folder() + "pom.xml)";
      if (m.published()) {
        if (!bom.contains(m.artifactId())) {
          out.add(where + " is published but bom/pom.xml does not list it");
        }
        if (m.javadocSkip()) {
          out.add(where + " is published but skips its Javadoc jar: remove maven.javadoc.skip");
        }
        if (m.sourceSkip()) {
          out.add(where + " is published but skips its sources jar: remove maven.source.skip");
        }
      } else if (m.deploySkip()) {
        if (!m.javadocSkip()) {
          out.add(where + " is not published but still builds a Javadoc jar: set"
              + " maven.javadoc.skip");
        }
        if (!m.sourceSkip()) {
          out.add(where + " is not published but still builds a sources jar: set"
              + " maven.source.skip");
        }
      }
    }
    for (String a : new TreeSet<>(bom)) {
      Module m = reactor.stream().filter(x -> x.artifactId().equals(a)).findFirst().orElse(null);
      if (m == null && !announced.contains(a)) {
        out.add("bom/pom.xml lists " + a + ", which no module of the reactor builds");
      } else if (m != null && !m.published()) {
        out.add("bom/pom.xml lists " + a + ", which is not published (" + m.folder()
            + "pom.xml sets " + (m.deploySkip() ? "maven.deploy.skip" : "packaging " + m.packaging())
            + ")");
      }
    }
    return out;
  }

  /** The POM in {@code root/folder} and every module below it, in reactor order. */
  static List<Module> reactor(Path root, String folder) throws Exception {
    Element project = parse(root.resolve(folder).resolve("pom.xml"));
    List<Module> out = new ArrayList<>();
    Element properties = child(project, "properties");
    out.add(new Module(folder, text(project, "artifactId"),
        child(project, "packaging") == null ? "jar" : text(project, "packaging"),
        flag(properties, "maven.deploy.skip"), flag(properties, "maven.javadoc.skip"),
        flag(properties, "maven.source.skip")));
    Element modules = child(project, "modules");
    if (modules != null) {
      for (Element m : children(modules, "module")) {
        out.addAll(reactor(root, folder + m.getTextContent().trim() + "/"));
      }
    }
    return out;
  }

  /**
   * The artifactIds the BOM manages, each checked to be a {@code dev.cairn} artifact at the
   * BOM's own version, which must be the reactor's.
   */
  static Set<String> bomArtifacts(Path bomPom) throws Exception {
    Element bom = parse(bomPom);
    Element parent = parse(bomPom.getParent().resolveSibling("pom.xml"));
    assertThat(text(bom, "version")).as("the BOM's version").isEqualTo(text(parent, "version"));
    Set<String> out = new LinkedHashSet<>();
    for (Element d : children(child(child(bom, "dependencyManagement"), "dependencies"),
        "dependency")) {
      String artifact = text(d, "artifactId");
      assertThat(text(d, "groupId")).as("groupId of %s in the BOM", artifact)
          .isEqualTo("dev.cairn");
      assertThat(text(d, "version")).as("version of %s in the BOM", artifact)
          .isEqualTo("${project.version}");
      assertThat(out.add(artifact)).as("%s listed twice in the BOM", artifact).isTrue();
    }
    return out;
  }

  private static Element parse(Path pom) throws Exception {
    assertThat(pom).exists();
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    try (var in = Files.newInputStream(pom)) {
      Document doc = f.newDocumentBuilder().parse(in);
      return doc.getDocumentElement();
    }
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        out.add(e);
      }
    }
    return out;
  }

  private static Element child(Element parent, String name) {
    if (parent == null) {
      return null;
    }
    List<Element> c = children(parent, name);
    return c.isEmpty() ? null : c.get(0);
  }

  private static String text(Element parent, String name) {
    Element e = child(parent, name);
    assertThat(e).as("<%s> in <%s>", name, parent.getTagName()).isNotNull();
    return e.getTextContent().trim();
  }

  private static boolean flag(Element properties, String name) {
    Element e = child(properties, name);
    return e != null && Boolean.parseBoolean(e.getTextContent().trim());
  }
}
