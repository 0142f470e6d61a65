import { useRedisCluster } from './helpers/redis-cluster';

const { cluster } = useRedisCluster();

describe('the test Redis Cluster', () => {
  it('should have three primaries, each with one replica, and route keys of every slot', async () => {
    const nodes = await cluster().nodes();
    expect(nodes.filter((node) => node.role === 'primary')).toHaveLength(3);
    const replicas = nodes.filter((node) => node.role === 'replica');
    expect(replicas).toHaveLength(3);
    expect(new Set(replicas.map((node) => node.primaryId)).size).toBe(3);
    const client = cluster().client();
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((key) => client.set(`k:${key}`, key)));
    expect(await Promise.all(['a', 'b', 'c', 'd', 'e'].map((key) => client.get(`k:${key}`)))).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});
