namespace Pipeline.Cli.Tests;

public sealed class LineDiffTests
{
    [Fact]
    public void ADiff_KeepsCommonLines_AndMarksRemovedAndAddedOnes()
    {
        string[] a = ["{", "  \"version\": 1,", "  \"window\": \"day\"", "}"];
        string[] b = ["{", "  \"version\": 2,", "  \"window\": \"day\"", "  \"by\": []", "}"];

        Assert.Equal(
            [" {", "-  \"version\": 1,", "+  \"version\": 2,", "   \"window\": \"day\"", "+  \"by\": []", " }"],
            LineDiff.Of(a, b)
        );
    }

    [Fact]
    public void EqualSpecs_HaveNoMarkedLine()
    {
        string[] a = ["{", "}"];

        Assert.All(LineDiff.Of(a, a), line => Assert.StartsWith(" ", line, StringComparison.Ordinal));
    }
}
