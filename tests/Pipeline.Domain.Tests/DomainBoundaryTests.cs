using Pipeline.Domain.Events;

namespace Pipeline.Domain.Tests;

public class DomainBoundaryTests
{
    [Fact]
    public void DomainAssembly_ReferencesNoAzureHttpOrHostingAssembly()
    {
        var references = typeof(CloudEvent)
            .Assembly.GetReferencedAssemblies()
            .Select(a => a.Name ?? string.Empty)
            .ToArray();

        Assert.DoesNotContain(
            references,
            name =>
                name.StartsWith("Azure", StringComparison.Ordinal)
                || name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
                || name.StartsWith("Microsoft.Extensions", StringComparison.Ordinal)
                || name.StartsWith("System.Net.Http", StringComparison.Ordinal)
        );
    }
}
