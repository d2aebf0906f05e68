using System.Text.Json;
using Json.Schema;
using Pipeline.Domain.Views.Specs;

namespace Pipeline.Domain.Tests.Views.Specs;

/// <summary>The JSON Schema in <c>views/</c> and the reader agree: editors and other tools that validate with the
/// schema accept what the pipeline accepts and refuse what it refuses.</summary>
public sealed class SpecSchemaTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromText(File.ReadAllText(SpecFiles.SchemaPath));

    public static TheoryData<string> ShippedFiles =>
        [.. SpecFiles.Shipped.Concat(SpecFiles.Examples).Select(f => Path.GetFileNameWithoutExtension(f))];

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void AShippedOrExampleSpec_IsValid_ByTheSchemaAndTheReader(string file)
    {
        var json = File.ReadAllText(SpecFiles.PathOf(file));

        Assert.True(SchemaAccepts(json), file);
        var reading = ViewSpecReader.Read(json);
        Assert.True(reading.IsValid, string.Join("\n", reading.Problems));
        Assert.Equal(file, $"{reading.Spec!.Name}.{reading.Spec.Version}");
    }

    [Fact]
    public void TheContractsExample_IsValid_ByBoth()
    {
        Assert.True(SchemaAccepts(SpecFiles.Example));
        Assert.True(ViewSpecReader.Read(SpecFiles.Example).IsValid);
    }

    [Theory]
    [InlineData("""{"version":1,"window":"day","aggregates":[{"name":"n","op":"count"}]}""")]
    [InlineData("""{"name":"Orders","version":1,"window":"day","aggregates":[{"name":"n","op":"count"}]}""")]
    [InlineData("""{"name":"o","version":0,"window":"day","aggregates":[{"name":"n","op":"count"}]}""")]
    [InlineData("""{"name":"o","version":1,"window":"year","aggregates":[{"name":"n","op":"count"}]}""")]
    [InlineData("""{"name":"o","version":1,"window":"day","aggregates":[]}""")]
    [InlineData("""{"name":"o","version":1,"window":"day","aggregates":[{"name":"n","op":"sum"}]}""")]
    [InlineData(
        """{"name":"o","version":1,"window":"day","aggregates":[{"name":"n","op":"count","field":"subject"}]}"""
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","aggregates":[{"name":"n","op":"sum","field":"data.x","precision":9}]}"""
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","aggregates":[{"name":"n","op":"approxDistinct","field":"data.x","precision":3}]}"""
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","by":["a","b","c","d"],"aggregates":[{"name":"n","op":"count"}]}"""
    )]
    [InlineData("""{"name":"o","version":1,"window":"day","by":["data"],"aggregates":[{"name":"n","op":"count"}]}""")]
    [InlineData(
        """{"name":"o","version":1,"window":"day","by":["data..x"],"aggregates":[{"name":"n","op":"count"}]}"""
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","where":{"field":"type","op":"in","value":"a"},"aggregates":[{"name":"n","op":"count"}]}"""
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","where":{"field":"type","op":"gt","value":"5"},"aggregates":[{"name":"n","op":"count"}]}"""
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","where":{"field":"type","op":"exists","value":1},"aggregates":[{"name":"n","op":"count"}]}"""
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","where":{"field":"type","op":"eq"},"aggregates":[{"name":"n","op":"count"}]}"""
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","where":{"all":[],"any":[]},"aggregates":[{"name":"n","op":"count"}]}"""
    )]
    [InlineData("""{"name":"o","version":1,"window":"day","were":{},"aggregates":[{"name":"n","op":"count"}]}""")]
    public void AnInvalidSpec_IsRefused_ByBoth(string json)
    {
        Assert.False(SchemaAccepts(json), "the schema accepted it");
        Assert.False(ViewSpecReader.Read(json).IsValid, "the reader accepted it");
    }

    private static bool SchemaAccepts(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Schema.Evaluate(document.RootElement).IsValid;
    }
}
