using Pipeline.Application.Storage;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Tests;

public class StorageLayoutTests
{
    [Fact]
    public void AKeyPart_IsTheEncodedValueUpTo160Characters_ElseItsBeginningAndAHash()
    {
        var fits = new string('p', StorageLayout.MaxKeyPart);
        var over = new string('p', StorageLayout.MaxKeyPart + 1);
        var slashes = string.Concat(Enumerable.Repeat("a/", 281));

        Assert.Equal(160, StorageLayout.MaxKeyPart);
        Assert.Equal(fits, StorageLayout.KeyPart(fits));
        Assert.Equal(160, StorageLayout.KeyPart(over).Length);
        Assert.StartsWith(new string('p', 127) + "~", StorageLayout.KeyPart(over), StringComparison.Ordinal);
        Assert.True(StorageLayout.KeyPart(slashes).Length <= StorageLayout.MaxKeyPart);
        Assert.True(TableKeys.IsValid(StorageLayout.KeyPart(slashes), out var error), error);
    }

    [Fact]
    public void LongValues_ThatShareTheirBeginning_GetDifferentKeyParts_AndAShortValueWithATildeNeverLooksHashed()
    {
        var common = new string('x', 400);

        Assert.NotEqual(StorageLayout.KeyPart(common + "1"), StorageLayout.KeyPart(common + "2"));
        Assert.Equal(StorageLayout.KeyPart(common + "1"), StorageLayout.KeyPart(common + "1"));
        Assert.DoesNotContain('~', StorageLayout.KeyPart("home~page"));
    }
}
