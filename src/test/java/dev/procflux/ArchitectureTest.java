package dev.procflux;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.lang.conditions.ArchPredicates.are;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;

/**
 * The package layering of the main code: the API ({@code dev.procflux}) and its implementation
 * ({@code dev.procflux.internal}) form the core, which knows nothing of the integrations built on it ({@code web},
 * {@code cli}, {@code micrometer}) nor of Spring; NuProcess is reached through one adapter.
 */
@AnalyzeClasses(packages = "dev.procflux",
        importOptions = {ImportOption.DoNotIncludeTests.class, ImportOption.DoNotIncludeJars.class})
class ArchitectureTest {
    private static final String API = "dev.procflux";
    private static final String INTERNAL = "dev.procflux.internal..";
    private static final String[] INTEGRATIONS = {
        "dev.procflux.web..", "dev.procflux.cli..", "dev.procflux.micrometer.."};
    private static final String NUPROCESS = "com.zaxxer.nuprocess..";

    /**
     * The classes of {@code internal} allowed to use NuProcess, with their nested classes. There is one:
     * {@code NuProcessLauncher}, the {@code Launcher} that starts processes and translates NuProcess's callbacks.
     */
    private static final List<String> NUPROCESS_ADAPTERS = List.of("dev.procflux.internal.NuProcessLauncher");

    /**
     * The classes of {@code internal} the API may use: {@code ApiFactory}, which makes every implementation the API
     * hands out, and {@code Arguments}, the argument checks the API's builders share.
     */
    private static final List<String> API_DOORS = List.of(
            "dev.procflux.internal.ApiFactory", "dev.procflux.internal.Arguments");

    @ArchTest
    static final ArchRule theApiReachesInternalOnlyThroughItsFactory = noClasses().that().resideInAPackage(API)
            .should().dependOnClassesThat(resideIn(INTERNAL).and(not(oneOf(API_DOORS))))
            .because("the implementation stays package-private behind one factory, so it can change freely");

    @ArchTest
    static final ArchRule theCoreNeverUsesAnIntegration = noClasses().that().resideInAnyPackage(API, INTERNAL)
            .should().dependOnClassesThat().resideInAnyPackage(INTEGRATIONS)
            .because("web, cli and micrometer are optional layers on top of the core");

    @ArchTest
    static final ArchRule noSpringTypeInTheCore = noClasses().that().resideInAnyPackage(API, INTERNAL)
            .should().dependOnClassesThat().resideInAPackage("org.springframework..")
            .because("Spring is an optional dependency that only dev.procflux.web (and what builds on it) needs");

    @ArchTest
    static final ArchRule theApiNamesNoNuProcessOrReactorPoolType = noClasses().that().resideInAPackage(API)
            .should().dependOnClassesThat().resideInAnyPackage(NUPROCESS, "reactor.pool..")
            .because("public signatures wrap them in procflux's own types, so either can change behind the API");

    @ArchTest
    static final ArchRule nothingOutsideInternalUsesNuProcess = noClasses().that().resideOutsideOfPackage(INTERNAL)
            .should().dependOnClassesThat().resideInAPackage(NUPROCESS)
            .because("NuProcess is an implementation detail of the engine");

    @ArchTest
    static final ArchRule onlyTheLauncherAdapterUsesNuProcess = noClasses().that(are(not(nuProcessAdapter())))
            .should().dependOnClassesThat().resideInAPackage(NUPROCESS)
            .because("NuProcess's contracts (its shared I/O thread, its internal classes) are handled in one place");

    /** A run and a worker each see their owner through a narrow context record, never the owner class itself. */
    @ArchTest
    static final ArchRule runsAndWorkersKnowTheirOwnerOnlyThroughTheirContext = noClasses()
            .that(are(nestedIn(List.of("dev.procflux.internal.ProcessRun", "dev.procflux.internal.WorkerProcess"))))
            .should().dependOnClassesThat(are(nestedIn(List.of("dev.procflux.internal.DefaultProcessEngine",
                    "dev.procflux.internal.DefaultWorkerPool"))))
            .because("RunContext and WorkerContext list exactly what a run and a worker need from their owner");

    private static DescribedPredicate<JavaClass> resideIn(String packageIdentifier) {
        return JavaClass.Predicates.resideInAPackage(packageIdentifier);
    }

    private static DescribedPredicate<JavaClass> oneOf(List<String> classes) {
        return DescribedPredicate.describe("one of " + classes, c -> classes.contains(c.getName()));
    }

    private static DescribedPredicate<JavaClass> nuProcessAdapter() {
        return DescribedPredicate.describe("the NuProcess adapter " + NUPROCESS_ADAPTERS,
                nestedIn(NUPROCESS_ADAPTERS)::test);
    }

    /** One of {@code classes} or a class nested in one of them. */
    private static DescribedPredicate<JavaClass> nestedIn(List<String> classes) {
        return DescribedPredicate.describe("one of " + classes + " or nested in one", c -> classes.stream()
                .anyMatch(a -> c.getName().equals(a) || c.getName().startsWith(a + "$")));
    }
}
