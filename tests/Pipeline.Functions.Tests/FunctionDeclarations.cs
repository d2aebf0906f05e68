using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Pipeline.Functions.Tests;

/// <summary>One <c>[Function]</c> method of the Functions app, as its source declares it.</summary>
internal sealed record FunctionDeclaration(
    string Name,
    string Method,
    string? Trigger,
    IReadOnlyList<string> HttpMethods,
    string? Route,
    string? AuthorizationLevel,
    IReadOnlyList<string> Settings,
    string? DelegatesTo,
    string? DispatchedName,
    string? DelegationProblem);

/// <summary>
/// Reads the Functions app's sources with Roslyn's parser alone (no compilation, so no worker packages):
/// each function's trigger, HTTP methods, route and authorization level, the settings its bindings name,
/// and whether its body only hands over to a shared handler.
/// </summary>
internal static class FunctionDeclarations
{
    /// <summary>The types a function body may hand over to: the shared handlers.</summary>
    public static readonly IReadOnlySet<string> SharedHandlers = new HashSet<string>(StringComparer.Ordinal)
    {
        "IngestHandler", "PipelineEndpoints", "BatchSchedule", "OrchestrationCatalog",
    };

    public static IReadOnlyList<FunctionDeclaration> Parse(IEnumerable<string> sources)
    {
        var functions = new List<FunctionDeclaration>();
        foreach (var source in sources)
        {
            var root = CSharpSyntaxTree.ParseText(source).GetRoot();
            foreach (var type in root.DescendantNodes().OfType<ClassDeclarationSyntax>())
            {
                var injected = type.ParameterList?.Parameters.ToDictionary(p => p.Identifier.Text, p => p.Type?.ToString() ?? string.Empty, StringComparer.Ordinal)
                    ?? new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var method in type.Members.OfType<MethodDeclarationSyntax>())
                {
                    if (Attribute(method.AttributeLists, "Function") is { } function)
                    {
                        functions.Add(Declare(function, method, injected));
                    }
                }
            }
        }

        return functions;
    }

    private static FunctionDeclaration Declare(AttributeSyntax function, MethodDeclarationSyntax method, Dictionary<string, string> injected)
    {
        var name = Literal(function.ArgumentList?.Arguments.FirstOrDefault()?.Expression) ?? "?";
        var trigger = method.ParameterList.Parameters.SelectMany(p => p.AttributeLists.SelectMany(l => l.Attributes))
            .FirstOrDefault(a => NameOf(a).EndsWith("Trigger", StringComparison.Ordinal));
        var settings = new List<string>();
        foreach (var argument in method.ParameterList.Parameters.SelectMany(p => p.AttributeLists.SelectMany(l => l.Attributes)).SelectMany(a => a.ArgumentList?.Arguments ?? default))
        {
            var text = Literal(argument.Expression);
            if (argument.NameEquals?.Name.Identifier.Text == "Connection" && text is not null)
            {
                settings.Add($"{text}__fullyQualifiedNamespace");
            }
            else if (text is { Length: > 2 } && text[0] == '%' && text[^1] == '%')
            {
                settings.Add(text[1..^1]);
            }
        }

        var (methods, route, level) = trigger is not null && NameOf(trigger) == "HttpTrigger" ? Http(trigger) : ([], null, null);
        var (delegatesTo, dispatched, problem) = Delegation(method, injected);
        return new FunctionDeclaration(name, method.Identifier.Text, trigger is null ? null : NameOf(trigger), methods, route, level, settings, delegatesTo, dispatched, problem);
    }

    private static (IReadOnlyList<string> Methods, string? Route, string? Level) Http(AttributeSyntax trigger)
    {
        var methods = new List<string>();
        string? route = null;
        string? level = null;
        foreach (var argument in trigger.ArgumentList?.Arguments ?? default)
        {
            if (argument.NameEquals?.Name.Identifier.Text == "Route")
            {
                route = Literal(argument.Expression);
            }
            else if (argument.Expression is MemberAccessExpressionSyntax member && member.Expression.ToString() == "AuthorizationLevel")
            {
                level = member.Name.Identifier.Text;
            }
            else if (Literal(argument.Expression) is { } verb)
            {
                methods.Add(verb.ToUpperInvariant());
            }
        }

        return (methods, route, level);
    }

    /// <summary>A body that only hands over: one expression (awaited or not) calling a method of an injected shared handler.</summary>
    private static (string? Handler, string? Dispatched, string? Problem) Delegation(MethodDeclarationSyntax method, Dictionary<string, string> injected)
    {
        var expression = method.ExpressionBody?.Expression ?? (method.Body?.Statements is [var only] ? only switch
        {
            ReturnStatementSyntax r => r.Expression,
            ExpressionStatementSyntax e => e.Expression,
            _ => null,
        } : null);
        if (expression is AwaitExpressionSyntax awaited)
        {
            expression = awaited.Expression;
        }

        if (expression is not InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax receiver } } call)
        {
            return (null, null, $"{method.Identifier.Text}: the body is not one call of a shared handler");
        }

        if (!injected.TryGetValue(receiver.Identifier.Text, out var type) || !SharedHandlers.Contains(type))
        {
            return (null, null, $"{method.Identifier.Text}: calls '{receiver.Identifier.Text}', which is not an injected shared handler ({string.Join(", ", SharedHandlers)})");
        }

        if (call.DescendantNodes().OfType<LambdaExpressionSyntax>().Any(l => l.Block is not null))
        {
            return (type, null, $"{method.Identifier.Text}: passes a lambda with statements; logic belongs in the shared handler");
        }

        return (type, Literal(call.ArgumentList.Arguments.FirstOrDefault()?.Expression), null);
    }

    private static AttributeSyntax? Attribute(SyntaxList<AttributeListSyntax> lists, string name) =>
        lists.SelectMany(l => l.Attributes).FirstOrDefault(a => NameOf(a) == name);

    private static string NameOf(AttributeSyntax attribute)
    {
        var name = attribute.Name.ToString().Split('.')[^1];
        return name.EndsWith("Attribute", StringComparison.Ordinal) ? name[..^"Attribute".Length] : name;
    }

    private static string? Literal(ExpressionSyntax? expression) =>
        expression is LiteralExpressionSyntax literal && literal.IsKind(SyntaxKind.StringLiteralExpression) ? literal.Token.ValueText : null;
}
