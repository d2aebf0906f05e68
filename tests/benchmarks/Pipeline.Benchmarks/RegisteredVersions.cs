using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Pipeline.Benchmarks;

/// <summary>
/// View versions a benchmark registers over HTTP beside the shipped ones, as users would: varied filters,
/// windows, dimensions and aggregates over the benchmark's traffic, so that every event is folded into each.
/// </summary>
internal static class RegisteredVersions
{
    private static readonly string[] Shapes =
    [
        """ "where":{"field":"type","op":"eq","value":"page.view"},"window":"hour","by":["data.page"],"aggregates":[{"name":"views","op":"count"}] """,
        """ "where":{"field":"type","op":"eq","value":"order.placed"},"window":"day","aggregates":[{"name":"revenue","op":"sum","field":"data.amount"}] """,
        """ "window":"day","aggregates":[{"name":"users","op":"distinct","field":"subject"}] """,
        """ "window":"minute","by":["type"],"aggregates":[{"name":"events","op":"count"}] """,
        """ "where":{"field":"data.amount","op":"ge","value":100},"window":"week","aggregates":[{"name":"mean","op":"avg","field":"data.amount"}] """,
        """ "where":{"field":"type","op":"in","value":["order.placed","user.signup"]},"window":"month","by":["type","data.plan"],"aggregates":[{"name":"n","op":"count"}] """,
        """ "where":{"not":{"field":"data.plan","op":"eq","value":"test"}},"window":"hour","aggregates":[{"name":"largest","op":"max","field":"data.amount"}] """,
    ];

    /// <summary>Registers <paramref name="count"/> versions (<c>bench-1</c> ... ) with the admin key.</summary>
    public static async Task RegisterAsync(HttpClient http, string adminKey, int count)
    {
        for (var i = 1; i <= count; i++)
        {
            var spec = string.Create(
                CultureInfo.InvariantCulture,
                $$"""{"name":"bench-{{i}}","version":1,{{Shapes[(i - 1) % Shapes.Length]}}}"""
            );
            using var request = new HttpRequestMessage(HttpMethod.Put, $"api/views/bench-{i}/versions/1")
            {
                Content = new StringContent(spec, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
            };
            request.Headers.Add("x-functions-key", adminKey);
            using var response = await http.SendAsync(request);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException(
                    $"registering bench-{i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}"
                );
            }
        }
    }
}
