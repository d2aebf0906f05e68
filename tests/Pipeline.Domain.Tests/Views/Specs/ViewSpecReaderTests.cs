using Pipeline.Domain.Views.Specs;

namespace Pipeline.Domain.Tests.Views.Specs;

public sealed class ViewSpecReaderTests
{
    [Fact]
    public void TheContractsExample_ReadsWithEveryPart()
    {
        var reading = ViewSpecReader.Read(SpecFiles.Example);

        Assert.True(reading.IsValid, string.Join("\n", reading.Problems));
        var spec = reading.Spec!;
        Assert.Equal("orders-by-region@1", spec.Id.ToString());
        Assert.Equal(SpecWindow.Hour, spec.Window);
        Assert.Equal(["data.region"], spec.By.Select(f => f.Text));
        Assert.Equal(["region"], spec.By[0].DataPath);
        var where = Assert.IsType<SpecAll>(spec.Where);
        var amount = Assert.IsType<SpecPredicate>(where.Conditions[1]);
        Assert.Equal(SpecOperator.Gt, amount.Op);
        Assert.Equal(
            [
                SpecAggregateOp.Count,
                SpecAggregateOp.Sum,
                SpecAggregateOp.Distinct,
                SpecAggregateOp.Max,
                SpecAggregateOp.Avg,
                SpecAggregateOp.Count,
                SpecAggregateOp.Min,
                SpecAggregateOp.ApproxDistinct,
            ],
            spec.Aggregates.Select(a => a.Op)
        );
        Assert.NotNull(spec.Aggregates[5].Where);
        Assert.Equal(12, spec.Aggregates[7].Precision);
        Assert.Equal(SpecAggregate.DefaultPrecision, spec.Aggregates[2].Precision);
    }

    [Theory]
    [InlineData("""{"version":1,"window":"day","aggregates":[{"name":"n","op":"count"}]}""", "$.name: is required")]
    [InlineData(
        """{"name":"Orders","version":1,"window":"day","aggregates":[{"name":"n","op":"count"}]}""",
        "$.name: must be 1-63 characters"
    )]
    [InlineData(
        """{"name":"o","version":0,"window":"day","aggregates":[{"name":"n","op":"count"}]}""",
        "$.version: must be a whole number from 1"
    )]
    [InlineData(
        """{"name":"o","version":1.5,"window":"day","aggregates":[{"name":"n","op":"count"}]}""",
        "$.version: must be a whole number from 1"
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"fortnight","aggregates":[{"name":"n","op":"count"}]}""",
        "$.window: must be minute, hour, day, week or month"
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"Day","aggregates":[{"name":"n","op":"count"}]}""",
        "$.window: must be minute, hour, day, week or month"
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","aggregates":[]}""",
        "$.aggregates: must be an array of one or more aggregates"
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","aggregates":[{"name":"a","op":"count"},{"name":"b","op":"count"},{"name":"c","op":"sum"}]}""",
        "$.aggregates[2].field: sum needs a field"
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","aggregates":[{"name":"n","op":"count","field":"subject"}]}""",
        "$.aggregates[0].field: count counts events and takes no field"
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","aggregates":[{"name":"n","op":"count"},{"name":"n","op":"count"}]}""",
        "$.aggregates[1].name: 'n' is the name of an earlier aggregate"
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","aggregates":[{"name":"n","op":"median","field":"data.x"}]}""",
        "$.aggregates[0].op: must be count, sum"
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","aggregates":[{"name":"n","op":"sum","field":"data.x","precision":10}]}""",
        "$.aggregates[0].precision: only approxDistinct takes a precision"
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","aggregates":[{"name":"n","op":"approxDistinct","field":"data.x","precision":19}]}""",
        "$.aggregates[0].precision: must be a whole number from 4 to 18"
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","by":["a","b","c","d"],"aggregates":[{"name":"n","op":"count"}]}""",
        "$.by: has 4 fields; at most 3"
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","by":["data"],"aggregates":[{"name":"n","op":"count"}]}""",
        "$.by[0]: 'data' is the whole payload"
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","by":["data..x"],"aggregates":[{"name":"n","op":"count"}]}""",
        "$.by[0]: 'data..x' has an empty property name"
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","by":["Region"],"aggregates":[{"name":"n","op":"count"}]}""",
        "$.by[0]: 'Region' is neither a CloudEvents attribute"
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","were":{},"aggregates":[{"name":"n","op":"count"}]}""",
        "$.were: is not a property here"
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","where":{"field":"type","op":"in","value":"a"},"aggregates":[{"name":"n","op":"count"}]}""",
        "$.where.value: in needs an array of one or more values"
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","where":{"field":"type","op":"notIn","value":[{}]},"aggregates":[{"name":"n","op":"count"}]}""",
        "$.where.value: every value must be a string, a number or true or false"
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","where":{"field":"data.x","op":"gt","value":"5"},"aggregates":[{"name":"n","op":"count"}]}""",
        "$.where.value: gt needs a number"
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","where":{"field":"data.x","op":"exists","value":1},"aggregates":[{"name":"n","op":"count"}]}""",
        "$.where.value: exists takes no value"
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","where":{"field":"data.x","op":"startsWith","value":1},"aggregates":[{"name":"n","op":"count"}]}""",
        "$.where.value: startsWith needs a string"
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","where":{"field":"data.x","op":"eq"},"aggregates":[{"name":"n","op":"count"}]}""",
        "$.where.value: eq needs a string, a number or true or false"
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","where":{"any":[{"field":"type","op":"like","value":"a"}]},"aggregates":[{"name":"n","op":"count"}]}""",
        "$.where.any[0].op: must be eq, ne, in"
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","where":{"not":[]},"aggregates":[{"name":"n","op":"count"}]}""",
        "$.where.not: must be an object"
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","aggregates":[{"name":"n","op":"count","where":{"field":"x","op":"eq","value":null}}]}""",
        "$.aggregates[0].where.value: eq needs a string"
    )]
    [InlineData(
        """{"name":"o","version":1,"window":"day","aggregates":[{"name":"n","op":"count"}],""",
        "$: not JSON (line 1"
    )]
    [InlineData("""[1,2]""", "$: must be an object: a view spec")]
    public void AProblem_IsReportedAtItsPath(string json, string expected)
    {
        var reading = ViewSpecReader.Read(json);

        Assert.False(reading.IsValid);
        Assert.Null(reading.Spec);
        Assert.Contains(reading.Problems, p => p.ToString().StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void EveryProblem_IsReportedAtOnce()
    {
        var reading = ViewSpecReader.Read(
            """{"name":"O","version":-1,"window":"year","by":[1],"aggregates":[{"op":"sum"}],"extra":true}"""
        );

        string[] expected =
        [
            "$.aggregates[0].field",
            "$.aggregates[0].name",
            "$.by[0]",
            "$.extra",
            "$.name",
            "$.version",
            "$.window",
        ];
        Assert.Equal(expected, reading.Problems.Select(p => p.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Limits_OfSizeNestingAndPredicates_AreProblems()
    {
        var big = SpecFiles.Example.Replace(
            "\"description\": \"",
            "\"description\": \"" + new string('x', ViewSpecReader.MaxSpecBytes),
            StringComparison.Ordinal
        );
        Assert.Contains(
            "the limit is 65536",
            ViewSpecReader.Read(big).Problems.Single().Message,
            StringComparison.Ordinal
        );

        var deep = """{"field":"type","op":"exists"}""";
        for (var i = 0; i < ViewSpecReader.MaxDepth; i++)
        {
            deep = $$"""{"not":{{deep}}}""";
        }

        var nested = ViewSpecReader.Read(
            $$"""{"name":"o","version":1,"window":"day","where":{{deep}},"aggregates":[{"name":"n","op":"count"}]}"""
        );
        Assert.Contains(nested.Problems, p => p.Message.Contains("nest deeper than 8", StringComparison.Ordinal));

        var many = string.Join(",", Enumerable.Repeat("""{"field":"type","op":"exists"}""", 65));
        var wide = ViewSpecReader.Read(
            $$"""{"name":"o","version":1,"window":"day","where":{"any":[{{many}}]},"aggregates":[{"name":"n","op":"count"}]}"""
        );
        Assert.Contains(wide.Problems, p => p.Message.Contains("more than 64 predicates", StringComparison.Ordinal));
    }
}
