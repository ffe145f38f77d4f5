package dev.procflux;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/** Each layering rule of {@link ArchitectureTest} rejects a class that breaks it: the rules can fail. */
class ArchitectureRulesTest {
    @Test
    void theApiMayNotReachPastItsFactoryIntoInternal() {
        assertBreaks(ArchitectureTest.theApiReachesInternalOnlyThroughItsFactory, UsesInternal.class);
    }

    @Test
    void theCoreMayNotUseAnIntegrationOrSpring() {
        assertBreaks(ArchitectureTest.theCoreNeverUsesAnIntegration, UsesWeb.class);
        assertBreaks(ArchitectureTest.noSpringTypeInTheCore, UsesSpring.class);
    }

    @Test
    void onlyTheLauncherAdapterMayUseNuProcess() {
        assertBreaks(ArchitectureTest.theApiNamesNoNuProcessOrReactorPoolType, UsesNuProcess.class);
        assertBreaks(ArchitectureTest.nothingOutsideInternalUsesNuProcess, UsesNuProcess.class);
        assertBreaks(ArchitectureTest.onlyTheLauncherAdapterUsesNuProcess, UsesNuProcess.class);
    }

    private static void assertBreaks(ArchRule rule, Class<?> offender) {
        JavaClasses classes = new ClassFileImporter().importClasses(offender);
        assertThatThrownBy(() -> rule.check(classes)).as(offender.getSimpleName())
                .isInstanceOf(AssertionError.class).hasMessageContaining(offender.getName());
    }

    static final class UsesInternal {
        Object escaped() {
            return dev.procflux.internal.SurrogateEscape.class;
        }
    }

    static final class UsesWeb {
        Object routes() {
            return dev.procflux.web.ActionRoutes.class;
        }
    }

    static final class UsesSpring {
        Object type() {
            return org.springframework.http.MediaType.APPLICATION_JSON;
        }
    }

    static final class UsesNuProcess {
        Object process() {
            return com.zaxxer.nuprocess.NuProcess.class;
        }
    }
}
